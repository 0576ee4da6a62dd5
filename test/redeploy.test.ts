/**
 * What `kagg deploy` compares on a redeploy, through bin/run.js on the local target: the whole
 * deployment (notebook, settings, --env values), not the notebook alone; --force redeploys; a dead
 * deployment is redeployed rather than reported unchanged; a name taken on another target is
 * refused; Ctrl-C exits 130 and leaves a pending entry that destroy removes and deploy resumes.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { EndpointRegistry } from '@kagg/core/registry';
import { notebookJson } from '@kagg/testkit/aws-fake';
import { BIN, cleanup, isolatedEnv, kagg, kaggJson, ROOT, tempDir } from './helpers.ts';

interface DeployJson {
  name: string;
  url: string;
  changed: boolean;
  written: string[];
}
interface Entry {
  state?: string;
  fingerprint?: string;
  providerIds: Record<string, string | number>;
}

const GREETER = notebookJson([
  {
    source:
      'import os, time\nif os.environ.get("SLOW"):\n    time.sleep(120)\n\ndef process_request(payload):\n    return {"greeting": os.environ.get("GREETING")}\n',
  },
]);

/** A KAGG_HOME and the greeter notebook, both removed after the suite. */
function greeterHome() {
  const home = tempDir();
  const work = tempDir('kagg-nb-');
  const notebook = path.join(work, 'greeter.ipynb');
  writeFileSync(notebook, GREETER);
  after(async () => {
    await cleanup(home);
    rmSync(work, { recursive: true, force: true });
  });
  return { home, env: isolatedEnv(home), notebook, registry: new EndpointRegistry(path.join(home, 'endpoints.json')) };
}

function alive(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

describe('redeploy compares the whole deployment (local target)', () => {
  const { env, notebook, registry } = greeterHome();

  const deploy = (...extra: string[]) => kaggJson<DeployJson>(['deploy', notebook, ...extra], env);
  const greet = async () =>
    (await kaggJson<{ body: { greeting: string } }>(['invoke', 'greeter', '--data', '{}'], env)).json.body.greeting;
  const pidOf = async () => Number((await registry.require('greeter')).providerIds.pid);

  it('an --env change alone redeploys (new process, same code); the same values again do nothing', async () => {
    const first = await deploy('--env', 'GREETING=alpha');
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(first.json.written, ['code', 'process']);
    assert.equal(await greet(), 'alpha');
    const same = await deploy('--env', 'GREETING=alpha');
    assert.equal(same.json.changed, false);
    assert.deepEqual(same.json.written, []);
    const changed = await deploy('--env', 'GREETING=bravo');
    assert.equal(changed.code, 0, changed.stderr);
    assert.equal(changed.json.changed, true);
    assert.deepEqual(changed.json.written, ['process'], 'the code was not written again');
    assert.equal(await greet(), 'bravo');
    const entry = (await registry.require('greeter')) as Entry;
    assert.match(entry.fingerprint ?? '', /^[0-9a-f]{64}$/);
    assert.ok(!readFileSync(registry.file, 'utf8').includes('bravo'), 'no --env value in the registry');
  });

  it('a settings change alone (--set) redeploys too', async () => {
    const debug = await deploy('--env', 'GREETING=bravo', '--set', 'debug=true');
    assert.equal(debug.json.changed, true);
    const back = await deploy('--env', 'GREETING=bravo');
    assert.equal(back.json.changed, true, 'debug back to its default is a change as well');
  });

  it('--force redeploys an unchanged deployment', async () => {
    const before = await pidOf();
    const forced = await deploy('--env', 'GREETING=bravo', '--force');
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal(forced.json.changed, true);
    assert.deepEqual(forced.json.written, ['process']);
    const now = await pidOf();
    assert.notEqual(now, before, 'a new server process');
    assert.ok(!alive(before));
    assert.equal(await greet(), 'bravo');
  });

  it('a deployment that is not running is redeployed, not reported unchanged', async () => {
    const pid = await pidOf();
    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 100 && alive(pid); i++) await sleep(20);
    const again = await deploy('--env', 'GREETING=bravo');
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.json.changed, true);
    assert.notEqual(await pidOf(), pid);
    assert.equal(await greet(), 'bravo');
  });

  it('kagg logs reads the server log: timestamped lines, --tail, --since', async () => {
    const tail = await kagg(['logs', 'greeter', '--tail', '1'], env);
    assert.equal(tail.code, 0, tail.stderr);
    assert.match(tail.stdout.trim(), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z kagg-local: POST \/ 200 \d+ms$/);
    const recent = await kaggJson<{ events: Array<{ timestamp: number; message: string }> }>(
      ['logs', 'greeter', '--since', '1h'],
      env,
    );
    assert.ok(recent.json.events.some((e) => /kagg-local: listening on/.test(e.message)));
    const future = await kaggJson<{ events: unknown[] }>(['logs', 'greeter', '--since', '2999-01-01'], env);
    assert.deepEqual(future.json.events, []);
  });

  it('a name already deployed on another target is refused, and its entry is left as it was', async () => {
    await registry.upsert({
      name: 'elsewhere',
      target: 'aws',
      url: 'https://example.invalid/',
      auth: 'public',
      bundleHash: 'x',
      providerIds: { functionName: 'kagg-elsewhere' },
    });
    const before = readFileSync(registry.file, 'utf8');
    const refused = await kaggJson<{ error: { code: string; message: string } }>(
      ['deploy', notebook, '--name', 'elsewhere'],
      env,
    );
    assert.equal(refused.code, 1);
    assert.equal(refused.json.error.code, 'NAME_TAKEN');
    assert.match(refused.json.error.message, /"elsewhere" already exists on the aws target/);
    assert.equal(readFileSync(registry.file, 'utf8'), before);
    await registry.remove('elsewhere');
  });

  it('a name whose resource name another endpoint already uses (x and kagg-x) is refused', async () => {
    const refused = await kaggJson<{ error: { code: string; message: string } }>(
      ['deploy', notebook, '--name', 'kagg-greeter'],
      env,
    );
    assert.equal(refused.code, 1);
    assert.equal(refused.json.error.code, 'NAME_TAKEN');
    assert.match(refused.json.error.message, /which the endpoint "greeter" already uses/);
  });
});

describe('Ctrl-C during a deploy (local target)', () => {
  const { home, env, notebook, registry } = greeterHome();

  it('exits 130, leaving a pending entry that destroy removes completely and the next deploy resumes', async () => {
    const child = spawn(process.execPath, [BIN, 'deploy', notebook, '--env', 'SLOW=1', '--json'], {
      env,
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    // Wait until the server process is recorded: the provider has accepted the work.
    let entry: Entry | undefined;
    for (let i = 0; i < 500 && !entry?.providerIds.pid; i++) {
      await sleep(20);
      entry = existsSync(registry.file) ? ((await registry.get('greeter')) as Entry | undefined) : undefined;
    }
    assert.equal(entry?.state, 'pending', 'recorded as pending before the server answered');
    child.kill('SIGINT');
    assert.equal(await exited, 130);
    assert.equal(JSON.parse(stdout).error.code, 'INTERRUPTED');
    const left = (await registry.require('greeter')) as Entry;
    assert.equal(left.state, 'pending');
    const listed = await kagg(['endpoints', 'list'], env);
    assert.match(listed.stdout, /^greeter\s+local\s+\(pending: deploy did not finish\)/m);
    const dir = String(left.providerIds.dir);
    assert.ok(dir.startsWith(home), dir);

    const resumed = await kaggJson<DeployJson>(['deploy', notebook, '--env', 'GREETING=again'], env);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(resumed.json.changed, true);
    assert.equal(((await registry.require('greeter')) as Entry).state, undefined, 'no longer pending');

    // Interrupted again, then destroyed: nothing is left.
    const resumedPid = ((await registry.require('greeter')) as Entry).providerIds.pid;
    assert.ok(alive(Number(resumedPid)));
    const second = spawn(process.execPath, [BIN, 'deploy', notebook, '--env', 'SLOW=1'], {
      env,
      cwd: ROOT,
      stdio: 'ignore',
    });
    const secondExit = new Promise<number | null>((resolve) => second.on('close', (code) => resolve(code)));
    for (let i = 0; i < 500; i++) {
      const e = (await registry.get('greeter')) as Entry | undefined;
      if (e?.state === 'pending' && e.providerIds.pid !== resumedPid) break;
      await sleep(20);
    }
    second.kill('SIGINT');
    assert.equal(await secondExit, 130);
    const gone = await kaggJson<{ destroyed: string }>(['destroy', 'greeter'], env);
    assert.equal(gone.code, 0, gone.stderr);
    assert.equal(await registry.get('greeter'), undefined);
    assert.ok(!existsSync(path.join(home, 'targets', 'local', 'greeter')), 'the endpoint folder is gone');
    for (let i = 0; i < 100 && alive(Number(resumedPid)); i++) await sleep(20);
    assert.ok(!alive(Number(resumedPid)), 'the version the interrupted redeploy was replacing is stopped too');
  });
});
