// kagg kernels init|files|delete|logs|cancel|quota (issue 21), run as a user runs them against the strict fake.
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FakeKaggle } from '@kagg/testkit/kaggle-fake';
import { kagg, kaggJson, tempDir } from './helpers.ts';
import { kaggleEnv, startKaggleFake } from './kaggle-helpers.ts';

let fake: FakeKaggle;
let home = '';

before(async () => {
  fake = await startKaggleFake();
  home = tempDir('kagg-kernels-');
  fake.addKernel({
    owner: 'alice',
    slug: 'done-kernel',
    kernelType: 'script',
    log: [
      { stream_name: 'stdout', time: 1, data: 'line one\n' },
      { stream_name: 'stderr', time: 2, data: 'line two\n' },
    ],
  });
  fake.addKernel({ owner: 'bob', slug: 'bobs-kernel', kernelType: 'script' });
});
after(async () => {
  await fake.close();
  rmSync(home, { recursive: true, force: true });
});

const env = () => kaggleEnv(home, fake);

describe('kagg kernels', () => {
  it('init writes the official template with the user in id, and never overwrites', async () => {
    const d = tempDir('kagg-init-');
    const r = await kagg(['kernels', 'init', '-p', d], env());
    assert.equal(r.code, 0, r.stderr);
    const meta = JSON.parse(readFileSync(path.join(d, 'kernel-metadata.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(meta.id, 'alice/INSERT_KERNEL_SLUG_HERE');
    assert.deepEqual(Object.keys(meta).slice(0, 5), ['id', 'title', 'code_file', 'language', 'kernel_type']);
    writeFileSync(path.join(d, 'kernel-metadata.json'), '{"mine":1}');
    const again = await kagg(['kernels', 'init', '-p', d], env());
    assert.equal(again.code, 2);
    assert.equal(readFileSync(path.join(d, 'kernel-metadata.json'), 'utf8'), '{"mine":1}');
    rmSync(d, { recursive: true, force: true });
  });

  it('files lists the kernel files with ListKernelFiles', async () => {
    const r = await kaggJson<{ files: Array<{ name: string; size: number }> }>(
      ['kernels', 'files', 'alice/done-kernel'],
      env(),
    );
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      r.json.files.map((f) => f.name),
      ['done-kernel.py'],
    );
    assert.deepEqual(fake.calls('ListKernelFiles').at(-1)?.body, { userName: 'alice', kernelSlug: 'done-kernel' });
  });

  it("delete refuses without a terminal unless -y; another user's kernel is refused by Kaggle", async () => {
    fake.addKernel({ owner: 'alice', slug: 'to-delete', kernelType: 'script' });
    const asked = await kagg(['kernels', 'delete', 'alice/to-delete'], env());
    assert.equal(asked.code, 2);
    assert.match(asked.stderr, /no terminal to confirm on/);
    assert.ok(fake.kernel('alice/to-delete'));
    const r = await kagg(['kernels', 'delete', 'alice/to-delete', '-y'], env());
    assert.equal(r.code, 0, r.stderr);
    assert.equal(fake.kernel('alice/to-delete'), undefined);
    const bob = await kagg(['kernels', 'delete', 'bob/bobs-kernel', '-y'], env());
    assert.equal(bob.code, 1);
    assert.ok(fake.kernel('bob/bobs-kernel'));
  });

  it('cancel takes a session id: -y or a terminal, CANCEL_REQUESTED then CANCEL_ACKNOWLEDGED, unknown is 404', async () => {
    fake.scriptFirstRun('alice/long-kernel', { runningPolls: 1000 });
    const d = tempDir('kagg-long-');
    writeFileSync(path.join(d, 'long.py'), 'print(1)\n');
    writeFileSync(
      path.join(d, 'kernel-metadata.json'),
      JSON.stringify({
        id: 'alice/long-kernel',
        title: 'Long Kernel',
        code_file: 'long.py',
        language: 'python',
        kernel_type: 'script',
      }),
    );
    assert.equal((await kagg(['push', d], env())).code, 0);
    rmSync(d, { recursive: true, force: true });
    const status = async () =>
      (await kaggJson<{ status?: string }>(['status', 'alice/long-kernel'], env())).json.status;
    // Past the fake's "not found yet" and queued polls: the run is under way.
    let seen: string | undefined;
    for (let poll = 0; poll < 5 && seen !== 'RUNNING'; poll++) seen = await status();
    assert.equal(seen, 'RUNNING');
    const id = fake.kernel('alice/long-kernel')?.versions.at(-1)?.session.id ?? 0;
    assert.ok(id > 0);

    const asked = await kagg(['kernels', 'cancel', '--session-id', String(id)], env());
    assert.equal(asked.code, 2);
    assert.match(asked.stderr, /Not cancelling session \d+: no terminal to confirm on/);
    assert.equal(fake.calls('CancelKernelSession').length, 0);
    assert.equal(await status(), 'RUNNING');

    const r = await kaggJson<{ sessionId: number; cancelRequested: boolean }>(
      ['kernels', 'cancel', '--session-id', String(id), '-y'],
      env(),
    );
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.json, { sessionId: id, cancelRequested: true, warnings: [] });
    assert.deepEqual(fake.calls('CancelKernelSession').at(-1)?.body, { kernelSessionId: id });
    assert.equal(await status(), 'CANCEL_REQUESTED');
    assert.equal(await status(), 'CANCEL_ACKNOWLEDGED');

    const again = await kaggJson<{ error: { message: string } }>(
      ['kernels', 'cancel', '--session-id', String(id), '-y'],
      env(),
    );
    assert.equal(again.code, 1);
    assert.match(again.json.error.message, new RegExp(`did not cancel session ${id}: .*not running`));
    const unknown = await kaggJson<{ error: { code: string } }>(
      ['kernels', 'cancel', '--session-id', '99', '-y'],
      env(),
    );
    assert.equal(unknown.code, 1);
    assert.equal(unknown.json.error.code, 'KAGGLE_NOT_FOUND');
    const missing = await kagg(['kernels', 'cancel', '-y'], env());
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /Missing required flag session-id/);
    const anonymous = await fetch(`${fake.url}/kernels.KernelsApiService/CancelKernelSession`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kernelSessionId: id }),
    });
    assert.equal(anonymous.status, 401);
  });

  it('quota shows the weekly GPU and TPU hours (as kaggle quota), and --json the numbers', async () => {
    const table = await kagg(['kernels', 'quota'], env());
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^resource +used +remaining +total +refreshAt\n-+/);
    assert.match(table.stdout, /\nGPU +5\.00h +25\.00h +30\.00h +2026-12-12T00:00:00Z\n/);
    assert.match(table.stdout, /\nTPU +0\.00h +20\.00h +20\.00h +2026-12-12T00:00:00Z\n/);
    const json = await kaggJson<{ refreshAt: string; quotas: Array<{ resource: string; usedHours: number }> }>(
      ['quota'],
      env(),
    );
    assert.equal(json.code, 0, json.stderr);
    assert.equal(json.json.refreshAt, '2026-12-12T00:00:00Z');
    assert.deepEqual(
      json.json.quotas.map((q) => [q.resource, q.usedHours]),
      [
        ['GPU', 5],
        ['TPU', 0],
      ],
    );
    assert.deepEqual(fake.calls('GetAcceleratorQuotaStatistics').at(-1)?.body, {});
  });

  it("logs prints a finished run's log; --follow reads the SSE stream of a running one until END_OF_LOG", async () => {
    const done = await kagg(['kernels', 'logs', 'alice/done-kernel'], env());
    assert.equal(done.code, 0, done.stderr);
    assert.equal(done.stdout, 'line one\nline two\n');
    const finished = await kagg(['kernels', 'logs', 'alice/done-kernel', '-f'], env());
    assert.equal(finished.stdout, 'line one\nline two\n');

    fake.scriptFirstRun('alice/live-kernel', {
      runningPolls: 1000,
      log: [
        { stream_name: 'stdout', time: 0.1, data: 'epoch 1\n' },
        { stream_name: 'stdout', time: 0.2, data: 'epoch 2\n' },
      ],
    });
    const d = tempDir('kagg-live-');
    writeFileSync(path.join(d, 'live.py'), 'print(1)\n');
    writeFileSync(
      path.join(d, 'kernel-metadata.json'),
      JSON.stringify({
        id: 'alice/live-kernel',
        title: 'Live Kernel',
        code_file: 'live.py',
        language: 'python',
        kernel_type: 'script',
      }),
    );
    assert.equal((await kagg(['push', d], env())).code, 0);
    const live = await kaggJson<{ events: Array<{ data: string }> }>(
      ['kernels', 'logs', 'alice/live-kernel', '--follow'],
      env(),
    );
    assert.equal(live.code, 0, live.stderr);
    assert.deepEqual(
      live.json.events.map((e) => e.data),
      ['epoch 1\n', 'epoch 2\n'],
    );
    const streamed = fake.requests.filter((r) => r.path === '/v1/kernels/logs/stream/alice/live-kernel');
    assert.equal(streamed.at(-1)?.headers.accept, 'text/event-stream, */*');
    rmSync(d, { recursive: true, force: true });
  });
});
