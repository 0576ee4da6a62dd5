/**
 * The gcp target's deploy flow over the wire: the real @google-cloud/functions and @google-cloud/run
 * clients (REST fallback) against the strict Google fake on 127.0.0.1, credentials injected through
 * the seam. First deploy, unchanged no-op, changed redeploy, private invoke with an identity token,
 * a stale IAM etag retried, a failed build shown with its message, destroy.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Deployment } from '@kagg/plugin-api';
import { createGcpTarget, type GcpOptions } from '@kagg/plugin-gcp';
import { bundleOf, recordingContext } from '@kagg/testkit/aws-fake';
import { type GcpFake, startGcpFake } from '@kagg/testkit/gcp-fake';

const ADDER = [{ source: 'def process_request(payload):\n    return {"sum": payload["a"] + payload["b"]}\n' }];
const TIMES = [{ source: 'def process_request(payload):\n    return {"product": payload["a"] * payload["b"]}\n' }];

describe('gcp target: deploy over the wire', () => {
  let fake: GcpFake;
  let target: ReturnType<typeof createGcpTarget>;
  const options: GcpOptions = { project: 'kagg-test', region: 'europe-west1', memory: 512 };

  before(async () => {
    fake = await startGcpFake();
    target = createGcpTarget({
      env: {
        KAGG_GCP_API_ENDPOINT: fake.url,
        KAGG_GCP_ACCESS_TOKEN: fake.accessToken,
        KAGG_GCP_IDENTITY_TOKEN: fake.identityToken,
      },
      pollMs: 5,
    });
  });
  after(() => fake.close());

  const deploy = async (name: string, cells: typeof ADDER, opts: GcpOptions = options, previous?: Deployment) => {
    const bundle = await bundleOf(name, cells);
    const ctx = recordingContext(name, opts, { resourceName: `kagg-${name}`, ...(previous ? { previous } : {}) });
    const deployment = await target.deploy(await target.package(bundle, opts), ctx);
    return { deployment, stages: ctx.stages };
  };
  const post = async (d: Deployment, body: unknown) => {
    const inv = await target.invocation(d);
    const headers: Record<string, string> = { 'content-type': 'application/json', ...inv.headers };
    if (inv.sign) Object.assign(headers, await inv.sign({ method: 'POST', url: inv.url, headers, body: '' }));
    const res = await fetch(inv.url, { method: 'POST', headers, body: JSON.stringify(body) });
    return { status: res.status, body: await res.text() };
  };

  let adder: Deployment;

  it('first deploy: upload without credentials, create, poll, allUsers invoker; the URL answers', async () => {
    const { deployment, stages } = await deploy('adder', ADDER);
    adder = deployment;
    assert.equal(deployment.auth, 'public');
    assert.ok(deployment.url.startsWith(`${fake.url}/fn/europe-west1/kagg-adder`), deployment.url);
    assert.deepEqual(deployment.written?.sort(), ['auth', 'code']);
    assert.deepEqual(JSON.parse((await post(deployment, { a: 40, b: 2 })).body), { sum: 42 });
    const [upload] = fake.calls('PUT', /^\/upload\//);
    assert.ok(upload);
    assert.equal(upload.headers.authorization, undefined, 'the signed-URL upload carries no credentials');
    assert.equal(upload.headers['content-type'], 'application/zip');
    const api = fake.requests.filter((r) => r.path.startsWith('/v2/'));
    assert.ok(api.every((r) => r.headers.authorization === `Bearer ${fake.accessToken}`));
    const [create] = fake.calls('POST', /\/functions$/);
    const body = JSON.parse(create?.body.toString() ?? '{}');
    assert.equal(create?.query.functionId, 'kagg-adder');
    assert.equal(body.buildConfig.entryPoint, 'predict_handler');
    assert.equal(body.buildConfig.runtime, 'python312');
    assert.equal(body.serviceConfig.availableMemory, '512Mi');
    assert.ok(fake.calls('GET', /\/operations\//).length >= 3, 'the operation was pending, then done');
    const policy = fake.policies.get('projects/kagg-test/locations/europe-west1/services/kagg-adder');
    assert.deepEqual(policy?.bindings, [{ role: 'roles/run.invoker', members: ['allUsers'] }]);
    assert.ok(stages.some((s) => s.startsWith('waiting for the build')));
  });

  it('an unchanged redeploy writes nothing', async () => {
    const writes = fake.writes().length;
    const uploads = fake.calls('POST', /generateUploadUrl/).length;
    const { deployment } = await deploy('adder', ADDER, options, adder);
    assert.deepEqual(deployment.written, []);
    assert.equal(fake.writes().length, writes);
    assert.equal(fake.calls('POST', /generateUploadUrl/).length, uploads);
  });

  it('a changed notebook uploads again and updates the function; a settings change only the config', async () => {
    const { deployment } = await deploy('adder', TIMES, options, adder);
    assert.ok(deployment.written?.includes('code'));
    const patch = fake.calls('PATCH', /\/functions\/kagg-adder$/).at(-1);
    assert.match(patch?.query.updateMask ?? '', /buildConfig\.source/);
    assert.deepEqual(JSON.parse((await post(deployment, { a: 6, b: 7 })).body), { product: 42 });
    const uploads = fake.calls('PUT', /^\/upload\//).length;
    const bigger = await deploy('adder', TIMES, { ...options, memory: 1024 }, deployment);
    assert.deepEqual(bigger.deployment.written, ['config']);
    assert.equal(fake.calls('PUT', /^\/upload\//).length, uploads, 'no upload for a settings change');
    assert.equal(
      fake.calls('PATCH', /\/functions\/kagg-adder$/).at(-1)?.query.updateMask,
      'serviceConfig.availableMemory',
    );
  });

  it('private: no allUsers binding, the URL refuses without a token, kagg invoke sends the identity token', async () => {
    const service = 'projects/kagg-test/locations/europe-west1/services/kagg-adder';
    fake.inject.concurrentIamChange(service);
    const { deployment, stages } = await deploy('adder', TIMES, { ...options, memory: 1024, public: false }, adder);
    assert.equal(deployment.auth, 'private');
    assert.deepEqual(deployment.written, ['auth']);
    assert.ok(
      stages.some((s) => s.startsWith('the IAM policy changed meanwhile')),
      'the stale etag was retried',
    );
    assert.equal(fake.calls('POST', /:setIamPolicy$/).length >= 2, true);
    const bare = await fetch(deployment.url, { method: 'POST', body: '{}' });
    assert.equal(bare.status, 401);
    assert.deepEqual(JSON.parse((await post(deployment, { a: 2, b: 3 })).body), { product: 6 });
    adder = deployment;
  });

  it('a failed first build surfaces the operation error, the state messages and the build log, and leaves nothing', async () => {
    fake.inject.buildFailure('kagg-broken', 'Build failed: pip could not install numpy==0.0.1');
    await assert.rejects(deploy('broken', ADDER), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'GCP_BUILD_FAILED');
      assert.match(error.message, /pip could not install numpy==0\.0\.1/);
      assert.match(error.message, /Build log: http:\/\/127\.0\.0\.1:\d+\/build-logs\/kagg-broken/);
      return true;
    });
    const status = await target.describe(
      {
        target: 'gcp',
        name: 'broken',
        url: '',
        auth: 'public',
        bundleHash: '',
        providerIds: { functionId: 'kagg-broken', project: 'kagg-test', region: 'europe-west1' },
      },
      recordingContext('broken', options),
    );
    assert.equal(status.state, 'missing', 'the function that never ran was removed');
  });

  it('bad project, wrong token, region without Functions: clear errors before anything is written', async () => {
    const writes = fake.writes().length;
    await assert.rejects(deploy('x1', ADDER, { ...options, project: 'no-such-project' }), {
      code: 'GCP_PERMISSION_DENIED',
      message: /no-such-project/,
    });
    await assert.rejects(deploy('x2', ADDER, { ...options, region: 'mars-north1' }), {
      code: 'GCP_REGION_UNAVAILABLE',
      message: /mars-north1/,
    });
    const wrong = createGcpTarget({
      env: { KAGG_GCP_API_ENDPOINT: fake.url, KAGG_GCP_ACCESS_TOKEN: 'stale' },
      pollMs: 5,
    });
    const bundle = await bundleOf('x3', ADDER);
    await assert.rejects(wrong.deploy(await wrong.package(bundle, options), recordingContext('x3', options)), {
      code: 'GCP_CREDENTIALS_INVALID',
    });
    assert.equal(fake.writes().length, writes);
  });

  it('destroy deletes the function and its policy; describe then says missing', async () => {
    await target.destroy(adder, recordingContext('adder', options));
    assert.equal(fake.functions.size, 0);
    assert.equal(fake.policies.size, 0);
    assert.equal((await target.describe(adder, recordingContext('adder', options))).state, 'missing');
    await target.destroy(adder, recordingContext('adder', options));
  });
});
