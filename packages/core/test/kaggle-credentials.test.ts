// The official credential order with validation and fallback (issue 21, point 1): a found token is
// checked with IntrospectToken and passed over when stale; the OAuth credentials file is refreshed as
// kagglesdk does and written back 0600; the fake holds clients to the SDK's types (point 5).
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createHttpClient } from '@kagg/core/http';
import { createKaggleClient, listKernels } from '@kagg/core/kaggle';
import { type FakeKaggle, startFakeKaggle } from '@kagg/testkit/kaggle-fake';
import { tempDir } from '@kagg/testkit/temp';

const KEY = 'alicekey0123456789abcdef01234567';
const REFRESH = 'refresh-alice-0001';
let fake: FakeKaggle;
const roots: string[] = [];

before(async () => {
  fake = await startFakeKaggle({
    users: [{ username: 'alice', key: KEY, token: 'KGAT_alice_token_0001', refreshToken: REFRESH }],
  });
  fake.addKernel({ owner: 'alice', slug: 'some-kernel' });
});
after(async () => {
  await fake.close();
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

function home(files: Record<string, string> = {}): { env: NodeJS.ProcessEnv; dir: string } {
  const dir = tempDir('kagg-creds-');
  roots.push(dir);
  mkdirSync(path.join(dir, '.kaggle'));
  for (const [name, text] of Object.entries(files)) {
    writeFileSync(path.join(dir, '.kaggle', name), text);
    chmodSync(path.join(dir, '.kaggle', name), 0o600);
  }
  return { dir, env: { HOME: dir } };
}

function client(env: NodeJS.ProcessEnv, warnings: string[] = []) {
  return createKaggleClient({
    baseUrl: fake.url,
    env,
    http: createHttpClient({ retryBaseMs: 1 }),
    onWarning: (w) => warnings.push(w),
  });
}

describe('credential validation and fallback', () => {
  it('a stale ~/.kaggle/access_token beside a valid kaggle.json: the key is used, the token skipped with a reason', async () => {
    const { env } = home({
      access_token: 'KGAT_revoked_long_ago',
      'kaggle.json': JSON.stringify({ username: 'alice', key: KEY }),
    });
    const warnings: string[] = [];
    const c = client(env, warnings);
    const result = await listKernels(c, { mine: true });
    assert.deepEqual(
      result.kernels.map((k) => k.ref),
      ['alice/some-kernel'],
    );
    const { credentials, attempts } = await c.authenticate();
    assert.equal(credentials.kind, 'basic');
    assert.deepEqual(
      attempts.map((a) => [a.kind, a.outcome]),
      [
        ['bearer', 'skipped'],
        ['basic', 'used'],
      ],
    );
    assert.match(attempts[0]?.reason ?? '', /refused the token \(HTTP 401\)/);
    assert.equal(fake.calls('ListKernels').at(-1)?.headers.authorization?.startsWith('Basic '), true);
    assert.ok(warnings.some((w) => w.includes('access_token skipped')));
    assert.ok(!warnings.join('\n').includes('KGAT_revoked_long_ago'));
  });

  it('a valid token is introspected once with itself as Bearer and used, with its owner as user', async () => {
    const { env } = home({ access_token: 'KGAT_alice_token_0001\n' });
    const c = client(env);
    const before = fake.calls('IntrospectToken').length;
    assert.equal(await c.username(), 'alice');
    await listKernels(c, { mine: true });
    const calls = fake.calls('IntrospectToken').slice(before);
    assert.equal(calls.length, 1);
    assert.equal(calls[0]?.headers.authorization, 'Bearer KGAT_alice_token_0001');
  });

  it('nothing usable: the error names every source and why it was skipped, and never the token', async () => {
    const { env } = home({ access_token: 'KGAT_dead_token_xyz' });
    await assert.rejects(client(env).authenticate(), (e: Error) => {
      assert.match(e.message, /No usable Kaggle credentials .*access_token: Kaggle refused the token/);
      assert.ok(!e.message.includes('KGAT_dead_token_xyz'));
      return true;
    });
  });
});

describe('OAuth credentials file (kaggle auth login)', () => {
  const file = (dir: string) => path.join(dir, '.kaggle', 'credentials.json');

  it('an expired access token is refreshed with GenerateAccessToken, saved 0600 with the same keys, then reused', async () => {
    const { env, dir } = home({
      'credentials.json': JSON.stringify({
        refresh_token: REFRESH,
        access_token: 'KGAT_expired_cached',
        access_token_expiration: '2020-01-01T00:00:00+00:00',
        username: 'alice',
        scopes: ['resources.admin:*'],
      }),
    });
    const before = fake.calls('GenerateAccessToken').length;
    const c = client(env);
    await listKernels(c, { mine: true });
    const gen = fake.calls('GenerateAccessToken').slice(before);
    assert.equal(gen.length, 1);
    assert.deepEqual(gen[0]?.body, {
      refreshToken: REFRESH,
      apiVersion: 'API_VERSION_V1',
      expirationDuration: '43200s',
    });
    assert.equal(gen[0]?.headers.authorization, undefined);
    const saved = JSON.parse(readFileSync(file(dir), 'utf8')) as Record<string, string | string[]>;
    assert.deepEqual(Object.keys(saved), [
      'refresh_token',
      'access_token',
      'access_token_expiration',
      'username',
      'scopes',
    ]);
    assert.match(String(saved.access_token), /^KGAT_minted_/);
    assert.equal(saved.refresh_token, REFRESH);
    assert.deepEqual(saved.scopes, ['resources.admin:*']);
    assert.ok(Date.parse(String(saved.access_token_expiration)) > Date.now() + 11 * 3600_000);
    assert.equal(statSync(file(dir)).mode & 0o777, 0o600);
    assert.equal(fake.calls('ListKernels').at(-1)?.headers.authorization, `Bearer ${saved.access_token}`);
    // A second run uses the cached token: no refresh.
    await listKernels(client(env), { mine: true });
    assert.equal(fake.calls('GenerateAccessToken').length - before, 1);
  });

  it('a refused refresh token is skipped with a reason and the file is left as it was', async () => {
    const text = JSON.stringify({ refresh_token: 'refresh-revoked', access_token: '', access_token_expiration: '' });
    const { env, dir } = home({ 'credentials.json': text });
    await assert.rejects(
      client(env).authenticate(),
      /credentials\.json: Kaggle refused its refresh token \(HTTP 401\)/,
    );
    assert.equal(readFileSync(file(dir), 'utf8'), text);
  });
});

describe('the fake follows the SDK types', () => {
  async function post(rpc: string, body: unknown, auth?: string) {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (auth) headers.authorization = auth;
    const res = await fetch(`${fake.url}/${rpc}`, { method: 'POST', headers, body: JSON.stringify(body) });
    return { status: res.status, body: await res.text() };
  }
  const basic = `Basic ${Buffer.from(`alice:${KEY}`).toString('base64')}`;

  it('IntrospectToken needs credentials', async () => {
    assert.equal((await post('security.OAuthService/IntrospectToken', { token: 'KGAT_alice_token_0001' })).status, 401);
    const ok = await post('security.OAuthService/IntrospectToken', { token: 'KGAT_alice_token_0001' }, basic);
    assert.equal(ok.status, 200);
    assert.match(ok.body, /"active":true/);
  });

  it('SaveKernel refuses enum values the SDK does not define', async () => {
    const base = {
      slug: 'alice/enum-check',
      newTitle: 'Enum Check',
      text: 'print(1)',
      language: 'python',
      kernelType: 'script',
    };
    const bad = await post('kernels.KernelsApiService/SaveKernel', { ...base, kernelExecutionType: 'FAST' }, basic);
    assert.equal(bad.status, 400);
    assert.match(bad.body, /kernelExecutionType/);
    const pin = await post(
      'kernels.KernelsApiService/SaveKernel',
      { ...base, dockerImagePinningType: 'pinned' },
      basic,
    );
    assert.equal(pin.status, 400);
    const good = await post(
      'kernels.KernelsApiService/SaveKernel',
      { ...base, kernelExecutionType: 'SAVE_AND_RUN_ALL', dockerImagePinningType: 'latest' },
      basic,
    );
    assert.equal(good.status, 200, good.body);
  });
});
