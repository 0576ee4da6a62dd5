/**
 * `kagg logs` on the aws target: the function's CloudWatch Logs group (created and tagged by kagg,
 * written by the function only when its role allows it, as on AWS), --since/--tail/--follow, and
 * `destroy` removing the group unless --keep-logs. Real SDK clients against the strict fake.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AwsOptions } from '@kagg/plugin-aws';
import { type AwsFake, bundleOf, notebookJson, recordingContext, startAwsFake } from '@kagg/testkit/aws-fake';
import { awsCliEnv, useAwsFake } from './aws-helpers.ts';
import { BIN, cleanup, kagg, kaggJson, ROOT, tempDir } from './helpers.ts';

const CHATTY = [
  { source: 'print("loading model v3")\n' },
  {
    source:
      'def process_request(payload):\n    print(f"request n={payload[\'n\']}")\n    return {"double": payload["n"] * 2}\n',
  },
];

const opts = (extra: Partial<AwsOptions> = {}): AwsOptions => ({ region: 'us-east-1', ...extra });

async function call(url: string, n: number) {
  const res = await fetch(url, { method: 'POST', body: JSON.stringify({ n }) });
  assert.equal(res.status, 200);
}

describe('aws logs through the target', () => {
  const aws = useAwsFake();

  test('the log group is created tagged before the function runs, and holds what the notebook printed', async () => {
    const { fake, target } = aws;
    const ctx = recordingContext('chatty', opts());
    const deployment = await target.deploy(await target.package(await bundleOf('chatty', CHATTY), opts()), ctx);
    const group = fake.state.logGroups.get('/aws/lambda/kagg-chatty');
    assert.deepEqual(group?.tags, { 'managed-by': 'kagg', 'kagg-endpoint': 'chatty' });
    const ops = fake.requests.map((r) => r.operation);
    assert.ok(ops.indexOf('CreateLogGroup') < ops.indexOf('CreateFunction'), 'the group exists before the function');
    await call(deployment.url, 4);
    await call(deployment.url, 5);
    const all = await target.logEvents?.(deployment, ctx, {});
    const messages = (all ?? []).map((e) => e.message.trim());
    assert.ok(messages.includes('loading model v3'), messages.join(' | '));
    assert.deepEqual(
      messages.filter((m) => m.startsWith('request')),
      ['request n=4', 'request n=5'],
    );
    const last = await target.logEvents?.(deployment, ctx, { tail: 1 });
    assert.deepEqual(
      last?.map((e) => e.message.trim()),
      ['request n=5'],
    );
    const future = await target.logEvents?.(deployment, ctx, { since: Date.now() + 60_000 });
    assert.deepEqual(future, []);
  });

  test('a function whose role may not write logs leaves none (as on AWS)', async () => {
    const { fake, target } = aws;
    const bare = fake.inject.role('no-logs-role');
    const ctx = recordingContext('mute', opts({ role: bare }));
    const deployment = await target.deploy(
      await target.package(await bundleOf('mute', CHATTY), opts({ role: bare })),
      ctx,
    );
    await call(deployment.url, 1);
    assert.deepEqual(await target.logEvents?.(deployment, ctx, {}), []);
    await target.destroy(deployment, ctx);
  });

  test('destroy removes the log group; with keepLogs it stays', async () => {
    const { fake, target } = aws;
    const deploy = async (name: string) =>
      target.deploy(await target.package(await bundleOf(name, CHATTY), opts()), recordingContext(name, opts()));
    const kept = await deploy('kept');
    const dropped = await deploy('dropped');
    await target.destroy(kept, { ...recordingContext('kept', opts()), keepLogs: true });
    await target.destroy(dropped, recordingContext('dropped', opts()));
    assert.ok(fake.state.logGroups.has('/aws/lambda/kagg-kept'));
    assert.ok(!fake.state.logGroups.has('/aws/lambda/kagg-dropped'));
  });
});

describe('kagg logs --aws through the CLI', () => {
  const home = tempDir();
  const work = tempDir('kagg-nb-');
  const notebook = path.join(work, 'chatty.ipynb');
  writeFileSync(notebook, notebookJson(CHATTY));
  let fake: AwsFake;
  let env: NodeJS.ProcessEnv;
  let url: string;

  before(async () => {
    fake = await startAwsFake();
    env = await awsCliEnv(home, fake);
    const dep = await kaggJson<{ url: string }>(['deploy', notebook, '--aws'], env);
    assert.equal(dep.code, 0, dep.stderr);
    url = dep.json.url;
    await call(url, 1);
    await call(url, 2);
  });
  after(async () => {
    await cleanup(home);
    rmSync(work, { recursive: true, force: true });
    await fake.close();
  });

  test('--tail and --since: timestamped lines on stdout; a bad --since is a usage error', async () => {
    const tail = await kagg(['logs', 'chatty', '--tail', '2'], env);
    assert.equal(tail.code, 0, tail.stderr);
    const lines = tail.stdout.trim().split('\n');
    assert.equal(lines.length, 2);
    assert.match(lines[0] ?? '', /^\d{4}-\d{2}-\d{2}T[\d:.]+Z request n=1$/);
    assert.match(lines[1] ?? '', /request n=2$/);
    const recent = await kaggJson<{ events: Array<{ message: string }> }>(['logs', 'chatty', '--since', '1h'], env);
    assert.ok(recent.json.events.some((e) => e.message.includes('loading model v3')));
    const bad = await kagg(['logs', 'chatty', '--since', 'yesterday-ish'], env);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--since "yesterday-ish" is not a duration: use seconds \(90\) or a number with a unit/);
  });

  test('--follow prints new events as they come, until Ctrl-C', async () => {
    const child = spawn(process.execPath, [BIN, 'logs', 'chatty', '--follow', '--since', '1h'], {
      env,
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    for (let i = 0; i < 500 && !out.includes('request n=2'); i++) await sleep(20);
    await call(url, 77);
    for (let i = 0; i < 500 && !out.includes('request n=77'); i++) await sleep(20);
    child.kill('SIGINT');
    assert.equal(await exited, 130);
    assert.equal(out.split('\n').filter((l) => l.endsWith('request n=2')).length, 1, 'no event printed twice');
    assert.ok(out.includes('request n=77'), out);
  });

  test('destroy --keep-logs leaves the log group; kagg logs then says the endpoint is unknown', async () => {
    const gone = await kagg(['destroy', 'chatty', '--keep-logs'], env);
    assert.equal(gone.code, 0, gone.stderr);
    assert.ok(fake.state.logGroups.has('/aws/lambda/kagg-chatty'));
    assert.ok(!fake.state.functions.has('kagg-chatty'));
  });
});
