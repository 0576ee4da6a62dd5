/**
 * `kagg deploy --gcp` as a user runs it: the gcp plugin linked into an isolated kagg, the real Google
 * clients pointed at the strict fake with KAGG_GCP_API_ENDPOINT and an injected KAGG_GCP_ACCESS_TOKEN.
 * Public deploy → invoke → unchanged no-op → private deploy invoked with an identity token → destroy;
 * then a bad project, a missing token, a region without Functions and a failed build: each a clear
 * error, exit 1, the registry unchanged, and no token in any output.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type GcpFake, startGcpFake } from '@kagg/testkit/gcp-fake';
import { cleanup, FIXTURES, isolatedEnv, kagg, kaggJson, ROOT, tempDir } from './helpers.ts';

const DEPLOY_ADDER = ['deploy', path.join(FIXTURES, 'pm-basic.ipynb'), '--gcp', '--name', 'adder', '--memory', '512'];

describe('kagg deploy --gcp through the CLI', () => {
  const home = tempDir();
  let fake: GcpFake;
  let env: NodeJS.ProcessEnv;
  const outputs: string[] = [];
  const registry = () => {
    const file = path.join(home, 'endpoints.json');
    return existsSync(file) ? readFileSync(file, 'utf8') : '';
  };
  const run = async <T>(args: string[], extra: NodeJS.ProcessEnv = {}) => {
    const r = await kaggJson<T>(args, { ...env, ...extra });
    outputs.push(r.stdout, r.stderr);
    return r;
  };

  before(async () => {
    fake = await startGcpFake();
    env = isolatedEnv(home, {
      KAGG_GCP_API_ENDPOINT: fake.url,
      KAGG_GCP_ACCESS_TOKEN: fake.accessToken,
      KAGG_GCP_IDENTITY_TOKEN: fake.identityToken,
      GOOGLE_CLOUD_PROJECT: 'kagg-test',
      KAGG_GCP_POLL_MS: '10',
    });
    delete env.GOOGLE_APPLICATION_CREDENTIALS;
    delete env.CLOUDSDK_CORE_PROJECT;
    const linked = await kagg(['plugins', 'link', path.join(ROOT, 'plugins', 'gcp'), '--no-install'], env);
    assert.equal(linked.code, 0, linked.stderr);
  });
  after(async () => {
    await cleanup(home);
    await fake.close();
  });

  it('deploys publicly and the URL computes the answer', async () => {
    const dep = await run<{ target: string; url: string; auth: string; changed: boolean }>(DEPLOY_ADDER);
    assert.equal(dep.code, 0, dep.stderr);
    assert.equal(dep.json.target, 'gcp');
    assert.equal(dep.json.auth, 'public');
    assert.ok(dep.json.url.startsWith(`${fake.url}/fn/us-central1/kagg-adder`), dep.json.url);
    const answer = await run<{ status: number; body: unknown }>(['invoke', 'adder', '--data', '{"a": 40, "b": 2}']);
    assert.equal(answer.json.status, 200);
    assert.deepEqual(answer.json.body, { sum: 42 });
  });

  it('redeploys an unchanged notebook without any write to Google', async () => {
    const writes = fake.writes().length;
    const again = await run<{ changed: boolean }>(DEPLOY_ADDER);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.json.changed, false);
    assert.equal(fake.writes().length, writes);
  });

  it('deploys privately; kagg invoke sends the identity token', async () => {
    const dep = await run<{ auth: string; url: string }>([
      'deploy',
      path.join(FIXTURES, 'params-basic.ipynb'),
      '--gcp',
      '--private',
      '--name',
      'greeter',
    ]);
    assert.equal(dep.code, 0, dep.stderr);
    assert.equal(dep.json.auth, 'private');
    const bare = await fetch(dep.json.url, {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(bare.status, 401);
    const called = await run<{ status: number; body: unknown }>(['invoke', 'greeter', '--data', '{"name": "gcp"}']);
    assert.equal(called.json.status, 200, JSON.stringify(called.json));
    assert.deepEqual(called.json.body, { greeting: 'hello gcp', value: 3 });
  });

  it('destroys, and never shows a token anywhere', async () => {
    for (const name of ['greeter', 'adder']) {
      const gone = await run<{ destroyed: string }>(['destroy', name]);
      assert.equal(gone.code, 0, gone.stderr);
    }
    assert.equal(fake.functions.size, 0);
    for (const text of [...outputs, registry()]) {
      assert.ok(!text.includes(fake.accessToken), 'access token leaked');
      assert.ok(!text.includes(fake.identityToken), 'identity token leaked');
    }
  });

  it('a bad project, a missing token, a region without Functions, a failed build: exit 1, registry unchanged', async () => {
    const before_ = registry();
    const deployNope = ['deploy', path.join(FIXTURES, 'pm-basic.ipynb'), '--gcp', '--name', 'nope'];
    type Failure = { error: { message: string; action?: string } };
    const project = await run<Failure>([...deployNope, '--set', 'project=no-such-project']);
    assert.equal(project.code, 1, project.stderr);
    assert.match(project.json.error.message, /no-such-project/);
    assert.match(project.json.error.action ?? '', /project/);
    const token = await run<Failure>(deployNope, { KAGG_GCP_ACCESS_TOKEN: '' });
    assert.equal(token.code, 1, token.stderr);
    assert.match(token.json.error.message, /KAGG_GCP_ACCESS_TOKEN/);
    const region = await run<Failure>([...deployNope, '--region', 'mars-north1']);
    assert.equal(region.code, 1, region.stderr);
    assert.match(region.json.error.message, /region mars-north1/);
    assert.match(region.json.error.action ?? '', /--region/);
    fake.inject.buildFailure('kagg-nope', 'Build failed: could not resolve numpy==0.0.1');
    const build = await run<Failure>(deployNope);
    assert.equal(build.code, 1, build.stderr);
    assert.match(build.json.error.message, /could not resolve numpy==0\.0\.1/);
    assert.match(build.json.error.message, /Build log: /);
    assert.equal(registry(), before_);
    assert.equal(fake.functions.size, 0, 'the failed function was removed');
  });
});
