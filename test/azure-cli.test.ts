/**
 * `kagg deploy --azure` as a user runs it: the azure plugin linked into an isolated kagg, the real
 * Azure SDK pointed at the strict HTTPS fake with KAGG_AZURE_ARM_ENDPOINT, its certificate trusted
 * through NODE_EXTRA_CA_CERTS, the token injected with KAGG_AZURE_ACCESS_TOKEN. Keyed deploy →
 * kagg invoke passes the key → unchanged no-op → --public → destroy; no key or token in any output
 * or in the registry, and a refused deploy leaves the registry as it was.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type AzureFake, startAzureFake } from '@kagg/testkit/azure-fake';
import { cleanup, FIXTURES, isolatedEnv, kagg, kaggJson, ROOT, tempDir } from './helpers.ts';

const DEPLOY_ADDER = ['deploy', path.join(FIXTURES, 'pm-basic.ipynb'), '--azure', '--name', 'adder', '--memory', '512'];

describe('kagg deploy --azure through the CLI', () => {
  const home = tempDir();
  let fake: AzureFake;
  let env: NodeJS.ProcessEnv;
  const outputs: string[] = [];
  const run = async <T>(args: string[], extra: NodeJS.ProcessEnv = {}) => {
    const r = await kaggJson<T>(args, { ...env, ...extra });
    outputs.push(r.stdout, r.stderr);
    return r;
  };
  const registry = () => readFileSync(path.join(home, 'endpoints.json'), 'utf8');
  /** The registry less what core itself notes on every attempt (kagg marks an entry pending, then the result). */
  const recorded = () =>
    JSON.stringify(JSON.parse(registry()), (k, v) => (k === 'updatedAt' || k === 'state' ? undefined : v));
  const keyFile = () => path.join(home, 'targets', 'azure', 'keys', 'kagg-adder.key');
  let key = '';

  before(async () => {
    fake = await startAzureFake({ keyFailures: 1 });
    env = isolatedEnv(home, {
      NODE_EXTRA_CA_CERTS: fake.caFile,
      KAGG_AZURE_ARM_ENDPOINT: fake.url,
      KAGG_AZURE_ACCESS_TOKEN: fake.token,
      AZURE_SUBSCRIPTION_ID: fake.subscriptionId,
      KAGG_AZURE_POLL_MS: '10',
    });
    const linked = await kagg(['plugins', 'link', path.join(ROOT, 'plugins', 'azure'), '--no-install'], env);
    assert.equal(linked.code, 0, linked.stderr);
  });
  after(async () => {
    await cleanup(home);
    await fake.close();
  });

  it('deploys with a function key; kagg invoke passes it, a bare call is refused', async () => {
    const dep = await run<{ target: string; url: string; auth: string }>(DEPLOY_ADDER);
    assert.equal(dep.code, 0, dep.stderr);
    assert.equal(dep.json.target, 'azure');
    assert.equal(dep.json.auth, 'private');
    key = readFileSync(keyFile(), 'utf8');
    assert.ok(key.length > 10, 'the function key is kept in its 0600 file');
    const bare = await fetch(dep.json.url, { method: 'POST', body: '{"a": 1, "b": 2}' }).catch((e: Error) => e);
    // This process does not trust the fake's certificate: only kagg (NODE_EXTRA_CA_CERTS) does.
    assert.ok(bare instanceof Error);
    const answer = await run<{ status: number; body: unknown }>(['invoke', 'adder', '--data', '{"a": 40, "b": 2}']);
    assert.equal(answer.json.status, 200, JSON.stringify(answer.json));
    assert.deepEqual(answer.json.body, { sum: 42 });
  });

  it('redeploys an unchanged notebook without any write to Azure', async () => {
    const before_ = fake.writes().length;
    const again = await run<{ changed: boolean }>(DEPLOY_ADDER);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.json.changed, false);
    assert.equal(fake.writes().length, before_);
  });

  it('a failed remote build exits 1 with its log; the registry keeps the running deployment', async () => {
    const saved = recorded();
    fake.failNextBuild(['ERROR: No matching distribution found for not-a-package']);
    const failed = await run<{ error: { message: string; action: string } }>([
      ...DEPLOY_ADDER.slice(0, -2),
      '--memory',
      '2048',
      '--public',
    ]);
    assert.equal(failed.code, 1);
    assert.match(failed.json.error.message, /remote build[\s\S]*not-a-package/);
    assert.equal(recorded(), saved);
    const still = await run<{ status: number; body: unknown }>(['invoke', 'adder', '--data', '{"a": 1, "b": 2}']);
    assert.deepEqual(still.json.body, { sum: 3 }, 'the previous version still answers, with its key');
  });

  it('an expired token exits 1 naming what to do, the registry unchanged', async () => {
    const saved = recorded();
    const expired = await run<{ error: { message: string; action: string } }>(
      ['deploy', path.join(FIXTURES, 'pm-basic.ipynb'), '--azure', '--name', 'other'],
      { KAGG_AZURE_ACCESS_TOKEN: 'an-expired-token-000000' },
    );
    assert.equal(expired.code, 1);
    assert.match(expired.json.error.action, /az login/);
    assert.equal(recorded(), saved);
  });

  it('destroys; no key or token ever printed or recorded', async () => {
    const gone = await run<{ destroyed: string }>(['destroy', 'adder']);
    assert.equal(gone.code, 0, gone.stderr);
    assert.deepEqual(fake.sites(), []);
    assert.throws(() => readFileSync(keyFile()), 'the key file goes with the endpoint');
    for (const text of [...outputs, registry()]) {
      assert.ok(!text.includes(key), 'function key leaked');
      assert.ok(!text.includes(fake.token), 'access token leaked');
    }
  });
});
