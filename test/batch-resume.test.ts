/**
 * Exactly once across crashes: a `run` batch killed with SIGKILL half-way (one push still in flight
 * at Kaggle) and resumed pushes every kernel exactly once, as the fake's request log shows; a torn
 * last line in the state file is tolerated; an item left in `pushing` is pushed again only when
 * Kaggle's version number shows the push never landed; Ctrl-C stops the batch with exit 130 and
 * `--resume` finishes it.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  appendRecord,
  type BatchReport,
  batchReportSchema,
  batchStateFile,
  planBatchFile,
  storableDefinition,
} from '@kagg/core/batch';
import { compileSchema } from '@kagg/core/schema';
import { type FakeKaggle, startFakeKaggle } from '@kagg/testkit/kaggle-fake';
import {
  batchEnv,
  fakeWithKernels,
  pushesPerKernel,
  readState,
  spawnKagg,
  stateFiles,
  waitFor,
} from './fixtures/batch/harness.ts';
import { kagg, tempDir } from './helpers.ts';

function itemStates(file: string): Map<number, string[]> {
  const map = new Map<number, string[]>();
  for (const r of readState(file)) {
    if (r.type !== 'item' || r.index === undefined) continue;
    map.set(r.index, [...(map.get(r.index) ?? []), r.state as string]);
  }
  return map;
}

const succeededCount = (file: string) =>
  readState(file).filter((r) => r.type === 'item' && r.state === 'succeeded').length;

function savesPerKernel(fake: FakeKaggle): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of fake.calls('SaveKernel')) {
    if (r.status !== 200) continue;
    const slug = (r.body as { slug?: string }).slug ?? '?';
    counts.set(slug, (counts.get(slug) ?? 0) + 1);
  }
  return counts;
}

/** A `run` batch of `refs` planned and recorded in `home`'s state, as a start would, without running it. */
async function recordedRunBatch(home: string, work: string, refs: string[]) {
  const file = path.join(work, 'refs.txt');
  writeFileSync(file, `${refs.join('\n')}\n`);
  const definition = await planBatchFile({
    file,
    operation: 'run',
    cwd: work,
    options: { parallel: 2, failFast: false, path: path.join(work, 'out'), targetFlags: { common: {}, set: [] } },
  });
  const stateFile = batchStateFile(path.join(home, 'batches'), definition.id);
  await appendRecord(stateFile, storableDefinition(definition));
  return { definition, stateFile };
}

describe('run batch killed with SIGKILL mid-way, then resumed', () => {
  let fake: FakeKaggle;
  const home = tempDir('kagg-batch-kill-');
  const work = tempDir('kagg-batch-kill-work-');
  const kernels = 8;
  before(async () => {
    fake = await fakeWithKernels(kernels, { latencyMs: 30 });
    writeFileSync(
      path.join(work, 'runs.txt'),
      Array.from({ length: kernels }, (_, i) => `alice/kernel-${i + 1}`).join('\n'),
    );
  });
  after(async () => {
    await fake.close();
    rmSync(home, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  it('pushes every kernel exactly once, though one push was in flight at the kill', async () => {
    // Resuming waits for no settle time: the test waits instead until every request of the killed
    // process has reached the fake and taken effect (or never will), whatever the machine's load.
    const env = batchEnv(home, fake, { KAGG_BATCH_PUSH_SETTLE_MS: '0' });
    const out = path.join(work, 'out');
    const first = spawnKagg(['batch', 'runs.txt', '--operation', 'run', '--parallel', '2', '--path', out], env, work);
    await waitFor('the state file', () => stateFiles(home).length === 1);
    const stateFile = stateFiles(home)[0] as string;
    await waitFor('two finished items', () => succeededCount(stateFile) >= 2);
    // Hold the next push at Kaggle: it is received (and will be applied) but not yet answered.
    fake.inject({ target: 'SaveKernel', latencyMs: 1500 });
    await waitFor('a push held in flight', () =>
      fake.calls('SaveKernel').some((r) => r.fault === 'latency' && r.status === 0),
    );
    const held = fake.calls('SaveKernel').find((r) => r.fault === 'latency') as {
      body: { slug: string };
      status: number;
    };
    first.child.kill('SIGKILL');
    assert.equal(await first.exit, -1, 'killed');
    const before = itemStates(stateFile);
    assert.ok(
      [...before.values()].some((s) => s.at(-1) === 'pushing'),
      'an item was left in the pushing state',
    );
    assert.ok(
      [...before.values()].filter((s) => s.includes('succeeded')).length < kernels,
      'the batch was stopped half-way',
    );
    // kill -9 can tear the line being written: the reader must tolerate it.
    appendFileSync(stateFile, '{"type":"item","index":3,"sta');
    // The held push lands at Kaggle after the client died.
    await waitFor('the held push to land', () => held.status === 200);
    await waitFor("the killed kagg's connections to end at the fake", () => fake.idle());

    const id = path.basename(stateFile, '.jsonl');
    const reportFile = path.join(work, 'report.json');
    const resumed = await kagg(['batch', '--resume', id, '--report', reportFile], env, { cwd: work });
    assert.equal(resumed.code, 0, resumed.stderr);

    for (const [ref, count] of pushesPerKernel(fake)) assert.equal(count, 1, `${ref} pushed exactly once`);
    for (const [slug, count] of savesPerKernel(fake)) assert.equal(count, 1, `one SaveKernel for ${slug}`);
    assert.equal(savesPerKernel(fake).size, kernels);

    const records = readState(stateFile);
    // With --parallel 2 another item may also have been between push and record at the kill; the
    // held one must be among those that found their push had landed.
    const recovered = records.filter((r) => r.state === 'pushed' && r.recovered === true).map((r) => r.ref);
    assert.ok(
      recovered.includes(held.body.slug),
      `the held push was recovered, not repeated (recovered: ${recovered.join(', ')})`,
    );
    const finished = itemStates(stateFile);
    for (let i = 1; i <= kernels; i++) {
      const states = finished.get(i) ?? [];
      assert.equal(states.filter((s) => s === 'succeeded').length, 1, `item ${i} succeeded once`);
      assert.ok(!states.includes('failed'));
    }

    const report = JSON.parse(readFileSync(reportFile, 'utf8')) as BatchReport;
    const check = await compileSchema<BatchReport>(batchReportSchema);
    assert.ok(check(report));
    assert.equal(report.counts.succeeded, kernels);
    const heldItem = report.items.find((i) => i.input === held.body.slug);
    assert.equal(heldItem?.attempts, 2, 'the interrupted item was started twice, pushed once');
    assert.equal(heldItem?.result?.resumedAfterPush, true);

    const again = await kagg(['batch', '--resume', id, '--json'], env, { cwd: work });
    assert.equal(again.code, 0);
    assert.equal((JSON.parse(again.stdout) as BatchReport).counts.succeeded, kernels);
    assert.equal(savesPerKernel(fake).size, kernels, 'resuming a finished batch does nothing');
    for (const [, count] of savesPerKernel(fake)) assert.equal(count, 1);
  });
});

describe('an item left in `pushing`: Kaggle decides', () => {
  let fake: FakeKaggle;
  const home = tempDir('kagg-batch-pushing-');
  const work = tempDir('kagg-batch-pushing-work-');
  before(async () => {
    fake = await startFakeKaggle();
    fake.addKernel({ owner: 'alice', slug: 'kernel-1', versions: 1 });
    fake.addKernel({ owner: 'alice', slug: 'kernel-2', versions: 2 });
  });
  after(async () => {
    await fake.close();
    rmSync(home, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  it('pushes the kernel whose version did not move, and not the one whose push landed', async () => {
    const { definition, stateFile } = await recordedRunBatch(home, work, ['alice/kernel-1', 'alice/kernel-2']);
    const at = new Date(Date.now() - 60_000).toISOString();
    const statusBefore = { status: 'COMPLETE', failureMessage: '' };
    // kernel-1: a crash right before its push was sent (Kaggle still has version 1).
    // kernel-2: a crash right after its push was sent (Kaggle made version 2).
    for (const [index, ref] of [
      [1, 'alice/kernel-1'],
      [2, 'alice/kernel-2'],
    ] as const) {
      await appendRecord(stateFile, { type: 'item', index, state: 'running', at, pid: 1 });
      await appendRecord(stateFile, {
        type: 'item',
        index,
        state: 'pushing',
        at,
        pid: 1,
        ref,
        versionBefore: 1,
        statusBefore,
      });
    }
    const env = batchEnv(home, fake, { KAGG_BATCH_PUSH_SETTLE_MS: '0' });
    const resumed = await kagg(['batch', '--resume', definition.id, '--json'], env, { cwd: work });
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.deepEqual(Object.fromEntries(savesPerKernel(fake)), { 'alice/kernel-1': 1 });
    const report = JSON.parse(resumed.stdout) as BatchReport;
    assert.deepEqual(
      report.items.map((i) => [i.input, i.status, i.result?.version, i.result?.resumedAfterPush]),
      [
        ['alice/kernel-1', 'succeeded', 2, false],
        ['alice/kernel-2', 'succeeded', 2, true],
      ],
    );
  });
});

describe('one batch is never run by two processes at once', () => {
  let fake: FakeKaggle;
  const home = tempDir('kagg-batch-running-');
  const work = tempDir('kagg-batch-running-work-');
  // Another runner of the same batch, alive: its pid is in the batch's lock file.
  const runner = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 600_000)'], { stdio: 'ignore' });
  before(async () => {
    fake = await fakeWithKernels(1);
  });
  after(async () => {
    runner.kill('SIGKILL');
    await fake.close();
  });

  it('refuses to resume a batch whose runner is alive, then resumes it once that runner is gone', async () => {
    const { definition, stateFile } = await recordedRunBatch(home, work, ['alice/kernel-1']);
    writeFileSync(`${stateFile}.lock`, String(runner.pid));
    const env = batchEnv(home, fake);
    const refused = await kagg(['batch', '--resume', definition.id, '--json'], env, { cwd: work });
    assert.equal(refused.code, 1, refused.stderr);
    const { error } = JSON.parse(refused.stdout) as { error: { code: string; message: string } };
    assert.equal(error.code, 'BATCH_RUNNING');
    assert.match(error.message, new RegExp(`another kagg process \\(pid ${runner.pid}\\)`));
    assert.equal(readFileSync(`${stateFile}.lock`, 'utf8'), String(runner.pid), 'its lock is left alone');
    assert.equal(fake.calls('SaveKernel').length, 0, 'nothing was pushed');

    runner.kill('SIGKILL');
    await new Promise((r) => runner.once('exit', r));
    const resumed = await kagg(['batch', '--resume', definition.id], env, { cwd: work });
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(fake.calls('SaveKernel').length, 1);
  });
});

describe('Ctrl-C stops a batch with exit 130; --resume finishes it', () => {
  let fake: FakeKaggle;
  const home = tempDir('kagg-batch-int-');
  const work = tempDir('kagg-batch-int-work-');
  before(async () => {
    fake = await fakeWithKernels(6, { latencyMs: 40 });
    writeFileSync(path.join(work, 'six.txt'), Array.from({ length: 6 }, (_, i) => `alice/kernel-${i + 1}`).join('\n'));
  });
  after(async () => {
    await fake.close();
    rmSync(home, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  it('records the interruption, then resumes without a second push', async () => {
    const env = batchEnv(home, fake);
    const run = spawnKagg(['batch', 'six.txt', '-o', 'run', '-j', '2', '--path', path.join(work, 'out')], env, work);
    await waitFor('the state file', () => stateFiles(home).length === 1);
    const stateFile = stateFiles(home)[0] as string;
    await waitFor('one finished item', () => succeededCount(stateFile) >= 1);
    run.child.kill('SIGINT');
    assert.equal(await run.exit, 130, run.output.stderr);
    assert.match(run.output.stderr, /Resume with: kagg batch --resume \d{8}-\d{6}-[0-9a-f]{4}/);
    const records = readState(stateFile);
    assert.equal(records.at(-1)?.type, 'end');
    assert.equal(records.at(-1)?.status, 'interrupted');
    const id = path.basename(stateFile, '.jsonl');
    const shown = await kagg(['batch', 'show', id, '--json'], env);
    assert.equal((JSON.parse(shown.stdout) as BatchReport).status, 'interrupted');

    const resumed = await kagg(['batch', '--resume', id], env, { cwd: work });
    assert.equal(resumed.code, 0, resumed.stderr);
    const lines = resumed.stdout.trimEnd().split('\n');
    assert.ok(lines.length < 6 && lines.every((l) => l.startsWith('ok\t')), 'only the unfinished items ran');
    for (const [ref, count] of pushesPerKernel(fake)) assert.equal(count, 1, `${ref} pushed exactly once`);
  });
});
