/**
 * `kagg deploy --cloud-run` as a user runs it: the gcp plugin linked into an isolated kagg, the real
 * Google clients pointed at the strict Cloud Run fake. Public deploy → invoke → unchanged no-op →
 * `--set concurrency=1` (settings only) → a failed build (its log tail and console link, exit 1,
 * the service untouched) → destroy; `--cloud-run` with another target is a usage error. No token in any
 * output.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type CloudRunFake, startCloudRunFake } from '@kagg/testkit/cloud-run-fake';
import { cleanup, FIXTURES, isolatedEnv, kagg, kaggJson, ROOT, tempDir } from './helpers.ts';

const NOTEBOOK = path.join(FIXTURES, 'pm-basic.ipynb');
const DEPLOY = ['deploy', NOTEBOOK, '--cloud-run', '--name', 'adder', '--region', 'europe-west1'];
const SERVICE = 'projects/kagg-test/locations/europe-west1/services/kagg-adder';

describe('kagg deploy --cloud-run through the CLI', () => {
  const home = tempDir();
  let fake: CloudRunFake;
  let env: NodeJS.ProcessEnv;
  const outputs: string[] = [];
  const registry = () => {
    const file = path.join(home, 'endpoints.json');
    return existsSync(file) ? readFileSync(file, 'utf8') : '';
  };
  const run = async <T>(args: string[]) => {
    const r = await kaggJson<T>(args, env);
    outputs.push(r.stdout, r.stderr);
    return r;
  };

  before(async () => {
    fake = await startCloudRunFake();
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

  it('deploys a container publicly; the service URL computes the answer; an unchanged redeploy writes nothing', async () => {
    const dep = await run<{ target: string; url: string; auth: string }>(DEPLOY);
    assert.equal(dep.code, 0, dep.stderr);
    assert.equal(dep.json.target, 'cloud-run');
    assert.equal(dep.json.auth, 'public');
    assert.equal(dep.json.url, `${fake.url}/run/europe-west1/kagg-adder`);
    const answer = await run<{ status: number; body: unknown }>(['invoke', 'adder', '--data', '{"a": 40, "b": 2}']);
    assert.equal(answer.json.status, 200, JSON.stringify(answer.json));
    assert.deepEqual(answer.json.body, { sum: 42 });
    const writes = fake.writes().length;
    const again = await run<{ changed: boolean }>(DEPLOY);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.json.changed, false);
    assert.equal(fake.writes().length, writes);
  });

  it('--set concurrency=1 --set cpu=2 updates the service template without a build', async () => {
    const writes = fake.writes().length;
    const dep = await run<{ changed: boolean }>([...DEPLOY, '--set', 'concurrency=1', '--set', 'cpu=2']);
    assert.equal(dep.code, 0, dep.stderr);
    assert.deepEqual(fake.writes().slice(writes), ['updateService']);
    const template = fake.services.get(SERVICE)?.resource.template as Record<string, unknown>;
    assert.equal(template.maxInstanceRequestConcurrency, 1);
  });

  it('a failed build: exit 1, the log tail and its link, the old revision still serving at the same URL', async () => {
    const url = JSON.parse(registry()).endpoints.adder.url;
    fake.inject.buildFailure('ERROR: Could not find a version that satisfies the requirement numpy==0.0.1');
    const changed = ['deploy', path.join(FIXTURES, 'params-basic.ipynb'), '--cloud-run', '--name', 'adder'];
    const failed = await run<{ error: { message: string; action?: string } }>([...changed, '--region', 'europe-west1']);
    assert.equal(failed.code, 1, failed.stderr);
    assert.match(failed.json.error.message, /satisfies the requirement numpy==0\.0\.1/);
    assert.match(failed.json.error.action ?? '', /console\.cloud\.google\.com\/cloud-build\/builds/);
    assert.equal(JSON.parse(registry()).endpoints.adder.url, url);
    assert.deepEqual(fake.writes().slice(-2), ['uploadObject', 'createBuild'], 'the service was not touched');
    const answer = await run<{ status: number; body: unknown }>(['invoke', 'adder', '--data', '{"a": 1, "b": 2}']);
    assert.deepEqual(answer.json.body, { sum: 3 });
  });

  it('--cloud-run with --gcp is a usage error (exit 2)', async () => {
    const both = await kagg([...DEPLOY, '--gcp'], env);
    assert.equal(both.code, 2, both.stderr);
    assert.match(both.stderr, /cloud-run|gcp/);
  });

  it('destroys, and never shows a token anywhere', async () => {
    const gone = await run<{ destroyed: string }>(['destroy', 'adder']);
    assert.equal(gone.code, 0, gone.stderr);
    assert.equal(fake.services.size, 0);
    for (const text of [...outputs, registry()]) {
      assert.ok(!text.includes(fake.accessToken), 'access token leaked');
      assert.ok(!text.includes(fake.identityToken), 'identity token leaked');
    }
  });
});
