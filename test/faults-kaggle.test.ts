// kagg list / pull / push / output through the fault proxy in front of the Kaggle fake (the API and
// its signed storage URLs alike): latency and a bandwidth cap change nothing; a connection reset in
// the middle of a response is retried where the request is idempotent and ends in a clear error
// where it is not (a SaveKernel is never sent twice); a blackhole ends in kagg's timeout error
// naming the host. No file is ever torn.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type FaultProxy, startFaultProxy } from '@kagg/testkit/fault-proxy';
import { type FakeKaggle, startFakeKaggle } from '@kagg/testkit/kaggle-fake';
import { isolatedEnv, kagg, kaggJson, tempDir } from './helpers.ts';

const KEY = 'alicekey0123456789abcdef01234567';
// Big enough that a reset can land well inside its body.
const BIG = Buffer.from(Array.from({ length: 40_000 }, (_, i) => `row ${i}\n`).join(''));

let fake: FakeKaggle;
let proxy: FaultProxy;
let home = '';

before(async () => {
  fake = await startFakeKaggle({ users: [{ username: 'alice', key: KEY }] });
  proxy = await startFaultProxy({ target: fake.url, seed: 14 });
  // The signed output URLs the fake hands out go through the proxy too.
  fake.origin = proxy.via(fake.origin);
  home = tempDir('kagg-faults-kaggle-');
  fake.addKernel({
    owner: 'alice',
    slug: 'big-output',
    title: 'Big Output',
    kernelType: 'script',
    outputs: [
      { fileName: 'big.csv', content: BIG },
      { fileName: 'small.txt', content: 'small' },
    ],
  });
  // Pushed to (a push makes a new version, which has no outputs yet).
  fake.addKernel({ owner: 'alice', slug: 'pushed', kernelType: 'script' });
});
after(async () => {
  await proxy.close();
  await fake.close();
  rmSync(home, { recursive: true, force: true });
});

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return isolatedEnv(home, {
    KAGG_KAGGLE_API_URL: proxy.via(fake.url),
    KAGGLE_CONFIG_DIR: path.join(home, 'kaggle-config'),
    KAGGLE_API_TOKEN: '',
    KAGGLE_USERNAME: 'alice',
    KAGGLE_KEY: KEY,
    KAGG_HTTP_RETRY_BASE_MS: '5',
    KAGG_KAGGLE_POLL_MS: '5',
    KAGG_KAGGLE_RATE: '1000',
    ...extra,
  });
}

function work(name: string): string {
  const d = path.join(home, name);
  mkdirSync(d, { recursive: true });
  return d;
}

/** A folder ready to push as a new version of alice/pushed. */
function pushFolder(name: string): string {
  const d = work(name);
  writeFileSync(path.join(d, 'k.py'), 'print(1)\n');
  writeFileSync(
    path.join(d, 'kernel-metadata.json'),
    JSON.stringify({ id: 'alice/pushed', code_file: 'k.py', language: 'python', kernel_type: 'script' }),
  );
  return d;
}

function versions(): number {
  return fake.kernel('alice/pushed')?.versions.length ?? 0;
}

/** No temporary download file, and every file that is there is whole. */
function assertNoTornFiles(dir: string): void {
  const names = readdirSync(dir, { recursive: true }).map(String);
  assert.deepEqual(
    names.filter((n) => n.includes('.kagg-part-')),
    [],
    'a partial download was left behind',
  );
  if (names.includes('big.csv')) assert.ok(readFileSync(path.join(dir, 'big.csv')).equals(BIG), 'big.csv is torn');
}

describe('latency and a bandwidth cap', () => {
  before(() => proxy.set({ latencyMs: 15, jitterMs: 15, bytesPerSecond: 400_000 }));
  after(() => proxy.set({}));

  it('list, pull, push and output all succeed, and the output is whole', async () => {
    const listed = await kagg(['list', '--mine'], env());
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /alice\/big-output/);
    const pulled = work('slow-pull');
    const pull = await kagg(['pull', 'alice/big-output', '-p', pulled, '-m'], env());
    assert.equal(pull.code, 0, pull.stderr);
    assert.ok(existsSync(path.join(pulled, 'kernel-metadata.json')));
    const before_ = versions();
    const push = await kaggJson<{ versionNumber: number }>(['push', pushFolder('slow-push')], env());
    assert.equal(push.code, 0, push.stderr);
    assert.equal(versions(), before_ + 1);
    const out = work('slow-out');
    const output = await kagg(['output', 'alice/big-output', '--path', out], env());
    assert.equal(output.code, 0, output.stderr);
    assert.ok(readFileSync(path.join(out, 'big.csv')).equals(BIG));
    assertNoTornFiles(out);
    assert.ok(proxy.connections.some((c) => c.faults.bytesPerSecond === 400_000 && c.down > BIG.length));
  });
});

describe('a connection reset in the middle of a response', () => {
  it('an output download is retried and the file is whole', async () => {
    const out = work('reset-out');
    const since = fake.requests.length;
    // The next two connections are cut a quarter to half way through big.csv.
    proxy.schedule(
      { resetAfterBytes: [BIG.length / 4, BIG.length / 2] },
      { resetAfterBytes: [BIG.length / 4, BIG.length / 2] },
    );
    const r = await kaggJson<{ written: number }>(['output', 'alice/big-output', '--path', out], env());
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.json.written, 2);
    assertNoTornFiles(out);
    assert.equal(readFileSync(path.join(out, 'small.txt'), 'utf8'), 'small');
    // A reset can only land in big.csv's body (every other answer is far shorter than the cut
    // point), so each one is a download that had to be asked again.
    const cut = proxy.connections.filter((c) => c.reset).length;
    assert.ok(cut >= 1, 'a scheduled reset happened');
    const storage = fake.requests.slice(since).filter((q) => q.path.startsWith('/storage/'));
    assert.equal(storage.length, 2 + cut, 'each cut download was asked again, and only those');
  });

  it('list and pull (idempotent reads) are retried and succeed', async () => {
    proxy.schedule({ resetAfterBytes: 60 }, { resetAfterBytes: 60 });
    const listed = await kagg(['list', '--mine'], env());
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /alice\/big-output/);
    proxy.schedule({ resetAfterBytes: 60 });
    const d = work('reset-pull');
    const pull = await kagg(['pull', 'alice/big-output', '-p', d], env());
    assert.equal(pull.code, 0, pull.stderr);
    assert.deepEqual(readdirSync(d), ['big-output.py']);
  });

  it('a push cut after it was sent is not repeated: one version at most, and a clear error', async () => {
    const before_ = versions();
    const saves = fake.calls('SaveKernel').length;
    proxy.schedule({ resetAfterBytes: 60 });
    const r = await kaggJson<{ error: { code: string; message: string; action?: string } }>(
      ['push', pushFolder('reset-push')],
      env(),
    );
    assert.equal(r.code, 1, r.stdout);
    assert.equal(r.json.error.code, 'HTTP_NETWORK');
    assert.match(r.json.error.message, new RegExp(`127\\.0\\.0\\.1:${proxy.port}/v1/.*SaveKernel.*ECONNRESET`));
    assert.ok(r.json.error.action, 'the error says what to do');
    assert.equal(fake.calls('SaveKernel').length, saves + 1, 'the SaveKernel was sent once, never repeated');
    assert.equal(versions(), before_ + 1);
  });
});

describe('a blackhole', () => {
  before(() => proxy.set({ blackhole: true }));
  after(() => {
    proxy.set({});
    proxy.dropAll();
  });
  const quick = { KAGG_HTTP_TIMEOUT_MS: '700', KAGG_HTTP_RETRIES: '1' };

  for (const [name, args] of [
    ['list', ['list', '--mine']],
    ['pull', ['pull', 'alice/big-output', '-p', 'PATH']],
    ['push', ['push', 'PUSH']],
    ['output', ['output', 'alice/big-output', '--path', 'PATH']],
  ] as const) {
    it(`${name} ends with kagg's timeout error naming the host`, async () => {
      const d = work(`hole-${name}`);
      const saves = fake.calls('SaveKernel').length;
      const argv = args.map((a) => (a === 'PATH' ? d : a === 'PUSH' ? pushFolder(`hole-push-${name}`) : a));
      const r = await kaggJson<{ error: { code: string; message: string; action?: string } }>(argv, env(quick));
      assert.equal(r.code, 1, r.stdout);
      assert.match(r.json.error.code, name === 'output' ? /^KAGGLE_OUTPUT_FAILED$/ : /^HTTP_NETWORK$/);
      assert.match(
        r.json.error.message,
        new RegExp(`Could not reach http://127\\.0\\.0\\.1:${proxy.port}/.*no answer within 700 ms`),
      );
      assert.match(r.json.error.action ?? '', /Check the network connection/);
      assert.equal(fake.calls('SaveKernel').length, saves, 'nothing reached the server');
      assertNoTornFiles(d);
    });
  }
});
