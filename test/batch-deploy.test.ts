/**
 * Batches on the local target: a deploy batch killed with SIGKILL half-way and resumed ends with
 * every endpoint deployed once (no duplicate in the registry, finished deploys untouched); a destroy
 * batch tears them down (and a second run reports the missing ones). A preprocess batch (with the
 * preprocess plugin linked) fails the notebook holding a secret and lists the others' requirements.
 */
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BatchReport } from '@kagg/core/batch';
import { readState, spawnKagg, stateFiles, waitFor } from './fixtures/batch/harness.ts';
import { cleanup, FIXTURES, isolatedEnv, kagg, ROOT, tempDir } from './helpers.ts';

interface Registry {
  endpoints: Record<string, { name: string; url: string; updatedAt: string; providerIds: { pid?: number } }>;
}

const NAMES = ['bt-one', 'bt-two', 'bt-three', 'bt-four'];

describe('deploy batch on the local target, killed and resumed, then destroyed', () => {
  const home = tempDir('kagg-batch-deploy-');
  const work = tempDir('kagg-batch-deploy-work-');
  const env = isolatedEnv(home);
  before(() => {
    const rows = ['input,name'];
    NAMES.forEach((name, i) => {
      copyFileSync(path.join(FIXTURES, 'pm-basic.ipynb'), path.join(work, `nb${i + 1}.ipynb`));
      rows.push(`nb${i + 1}.ipynb,${name}`);
    });
    writeFileSync(path.join(work, 'deploy.csv'), `${rows.join('\n')}\n`);
    writeFileSync(path.join(work, 'destroy.txt'), `${NAMES.join('\n')}\n`);
  });
  after(async () => {
    await cleanup(home);
    rmSync(work, { recursive: true, force: true });
  });

  it('deploys each endpoint once across the kill', async () => {
    const first = spawnKagg(['batch', 'deploy.csv', '--operation', 'deploy', '--local', '--parallel', '1'], env, work);
    await waitFor('the state file', () => stateFiles(home).length === 1);
    const stateFile = stateFiles(home)[0] as string;
    await waitFor('two deployed', () => readState(stateFile).filter((r) => r.state === 'succeeded').length >= 2);
    first.child.kill('SIGKILL');
    await first.exit;
    const registryFile = path.join(home, 'endpoints.json');
    const before = JSON.parse(readFileSync(registryFile, 'utf8')) as Registry;
    const doneBefore = readState(stateFile)
      .filter((r) => r.state === 'succeeded')
      .map((r) => NAMES[(r.index as number) - 1] as string);
    assert.ok(doneBefore.length >= 2 && doneBefore.length < NAMES.length, `stopped half-way: ${doneBefore}`);

    const id = path.basename(stateFile, '.jsonl');
    const resumed = await kagg(['batch', '--resume', id, '--json'], env, { cwd: work });
    assert.equal(resumed.code, 0, resumed.stderr);
    const report = JSON.parse(resumed.stdout) as BatchReport;
    assert.equal(report.counts.succeeded, NAMES.length);

    const after = JSON.parse(readFileSync(registryFile, 'utf8')) as Registry;
    assert.deepEqual(Object.keys(after.endpoints).sort(), [...NAMES].sort(), 'each endpoint once in the registry');
    for (const name of doneBefore) {
      assert.equal(after.endpoints[name]?.updatedAt, before.endpoints[name]?.updatedAt, `${name} was not redeployed`);
      assert.equal(after.endpoints[name]?.providerIds.pid, before.endpoints[name]?.providerIds.pid);
    }
    const perItem = new Map<number, number>();
    for (const r of readState(stateFile)) {
      if (r.state === 'succeeded') perItem.set(r.index as number, (perItem.get(r.index as number) ?? 0) + 1);
    }
    assert.deepEqual([...perItem.values()], [1, 1, 1, 1]);
    for (const name of NAMES) {
      const call = await kagg(['invoke', name, '--data', '{"a": 20, "b": 22}', '--json'], env);
      assert.deepEqual(JSON.parse(call.stdout).body, { sum: 42 }, `${name} answers`);
    }

    const again = await kagg(['batch', 'deploy.csv', '-o', 'deploy', '--json'], env, { cwd: work });
    assert.equal(again.code, 0, again.stderr);
    const unchanged = JSON.parse(again.stdout) as BatchReport;
    assert.deepEqual(
      unchanged.items.map((i) => i.result?.changed),
      [false, false, false, false],
      'a new batch over deployed, unchanged notebooks is a no-op',
    );
    assert.deepEqual(
      unchanged.items.map((i) => [i.name, i.target]),
      NAMES.map((name) => [name, 'local']),
    );
    const piped = await kagg(['batch', 'deploy.csv', '-o', 'deploy'], env, { cwd: work });
    assert.deepEqual(
      piped.stdout
        .trimEnd()
        .split('\n')
        .map((l) => l.split('\t').slice(0, 4))
        .sort((a, b) => a[1]!.localeCompare(b[1]!)),
      NAMES.map((name, i) => ['unchanged', name, 'local', path.join(work, `nb${i + 1}.ipynb`)]).sort((a, b) =>
        a[1]!.localeCompare(b[1]!),
      ),
      'a no-op says "unchanged", and each line names the endpoint, its target and its input',
    );
  });

  it('destroys them by name; names already gone fail', async () => {
    const destroy = await kagg(['batch', 'destroy.txt', '-o', 'destroy'], env, { cwd: work });
    assert.equal(destroy.code, 0, destroy.stderr);
    assert.deepEqual(
      destroy.stdout.trimEnd().split('\n').sort(),
      [...NAMES].sort().map((name) => `ok\t${name}\tlocal\tdestroyed`),
      'each line names the endpoint and its target, and never shows the URL that just stopped working',
    );
    const registry = JSON.parse(readFileSync(path.join(home, 'endpoints.json'), 'utf8')) as Registry;
    assert.deepEqual(registry.endpoints, {});
    const twice = await kagg(['batch', 'destroy.txt', '-o', 'destroy'], env, { cwd: work });
    assert.equal(twice.code, 1);
    assert.match(twice.stdout, /^failed\tbt-one\t-\tno endpoint named "bt-one"/m);
  });
});

describe('preprocess batch with the preprocess plugin linked', () => {
  const home = tempDir('kagg-batch-pre-');
  const env = isolatedEnv(home);
  after(() => rmSync(home, { recursive: true, force: true }));

  it('fails the notebook with a secret and lists the requirements of the others', async () => {
    const link = await kagg(['plugins', 'link', path.join(ROOT, 'plugins', 'preprocess'), '--no-install'], env);
    assert.equal(link.code, 0, link.stderr);
    const work = tempDir('kagg-batch-pre-work-');
    const file = path.join(work, 'notebooks.jsonl');
    writeFileSync(
      file,
      [
        JSON.stringify({ input: path.join(FIXTURES, 'magics.ipynb') }),
        JSON.stringify({ input: path.join(ROOT, 'test', 'fixtures', 'batch', 'leaky.ipynb') }),
        JSON.stringify({ input: path.join(FIXTURES, 'pm-basic.ipynb') }),
      ].join('\n'),
    );
    const result = await kagg(['batch', file, '-o', 'preprocess', '--json'], env, { cwd: work });
    assert.equal(result.code, 1);
    const report = JSON.parse(result.stdout) as BatchReport;
    assert.deepEqual(
      report.items.map((i) => i.status),
      ['succeeded', 'failed', 'succeeded'],
    );
    assert.equal(report.items[1]?.error?.code, 'SECRETS_FOUND');
    assert.doesNotMatch(result.stdout, /ghp_R7d2kQ9xLm4Vt8Zp1Nw6Yc3Hb5Js0Fg2Ae7U/, 'the secret is never printed');
    assert.deepEqual(report.items[0]?.result?.requirements, ['requests', 'tinyproj==1.0']);
    assert.equal(report.items[0]?.result?.scanned, true);
    assert.deepEqual(report.items[2]?.result?.requirements, []);
    rmSync(work, { recursive: true, force: true });
  });
});
