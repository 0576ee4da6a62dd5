/**
 * The cloud-run target over the wire: the real @google-cloud/run and @google-cloud/cloudbuild
 * clients (REST fallback) and kagg's Storage / Artifact Registry calls against the strict fake on
 * 127.0.0.1, credentials injected. The fake's service URL runs the uploaded build context through
 * its Dockerfile's CMD under python3. First deploy, unchanged no-op, changed redeploy, settings-only
 * change, private invoke, stale etags retried, a failed build with its log, `--set image=`, destroy;
 * the API calls of each kind of deploy are counted (docs/container.md quotes them).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Deployment } from '@kagg/plugin-api';
import { type CloudRunOptions, createCloudRunTarget, resolveCloudRunOptions } from '@kagg/plugin-gcp';
import { bundleOf, recordingContext } from '@kagg/testkit/aws-fake';
import { type CloudRunFake, startCloudRunFake } from '@kagg/testkit/cloud-run-fake';

const ADDER = [{ source: 'def process_request(payload):\n    return {"sum": payload["a"] + payload["b"]}\n' }];
const TIMES = [{ source: 'def process_request(payload):\n    return {"product": payload["a"] * payload["b"]}\n' }];
const SERVICE = 'projects/kagg-test/locations/europe-west1/services/kagg-adder';

describe('cloud-run target: deploy over the wire', () => {
  let fake: CloudRunFake;
  let target: ReturnType<typeof createCloudRunTarget>;
  const options: CloudRunOptions = { project: 'kagg-test', region: 'europe-west1', memory: 512 };

  before(async () => {
    fake = await startCloudRunFake();
    target = createCloudRunTarget({
      env: {
        KAGG_GCP_API_ENDPOINT: fake.url,
        KAGG_GCP_ACCESS_TOKEN: fake.accessToken,
        KAGG_GCP_IDENTITY_TOKEN: fake.identityToken,
      },
      pollMs: 5,
    });
  });
  after(() => fake.close());

  /** Deploys and counts the API calls it made (service-URL calls left out). */
  const deploy = async (name: string, cells: typeof ADDER, opts: CloudRunOptions = options, previous?: Deployment) => {
    const bundle = await bundleOf(name, cells);
    const ctx = recordingContext(name, opts, { resourceName: `kagg-${name}`, ...(previous ? { previous } : {}) });
    const before = fake.requests.length;
    const deployment = await target.deploy(await target.package(bundle, opts), ctx);
    const api = fake.requests.slice(before).filter((r) => !r.path.startsWith('/run/'));
    return { deployment, stages: ctx.stages, api };
  };
  const post = async (d: Deployment, body: unknown) => {
    const inv = await target.invocation(d);
    const headers: Record<string, string> = { 'content-type': 'application/json', ...inv.headers };
    if (inv.sign) Object.assign(headers, await inv.sign({ method: 'POST', url: inv.url, headers, body: '' }));
    const res = await fetch(inv.url, { method: 'POST', headers, body: JSON.stringify(body) });
    return { status: res.status, headers: res.headers, body: await res.text() };
  };
  const writesSince = (n: number) => fake.writes().slice(n);
  // biome-ignore lint/suspicious/noExplicitAny: the Service resource as the fake holds it (JSON)
  const resourceOf = (name: string): Record<string, any> => {
    const svc = fake.services.get(name);
    assert.ok(svc, `the fake holds ${name}`);
    return svc.resource;
  };

  let adder: Deployment;

  it('first deploy: bucket, upload, repository, Cloud Build, service, allUsers invoker; the URL serves the notebook', async () => {
    const { deployment, stages, api } = await deploy('adder', ADDER);
    adder = deployment;
    assert.equal(deployment.target, 'cloud-run');
    assert.equal(deployment.auth, 'public');
    assert.equal(deployment.url, `${fake.url}/run/europe-west1/kagg-adder`);
    assert.deepEqual(deployment.written?.sort(), ['auth', 'code', 'config']);
    assert.deepEqual(fake.writes(), [
      'createRepository',
      'createBucket',
      'uploadObject',
      'createBuild',
      'createService',
      'setIamPolicy',
    ]);
    assert.ok(api.every((r) => r.headers.authorization === `Bearer ${fake.accessToken}`));
    const [upload] = fake.calls('POST', /^\/upload\/storage\/v1\/b\/kagg-test_cloudbuild\/o$/);
    assert.equal(upload?.headers['content-type'], 'application/gzip');
    assert.equal(upload?.body[0], 0x1f, 'the source goes up gzipped');
    const build = JSON.parse(fake.calls('POST', /\/builds$/)[0]?.body.toString() ?? '{}');
    const tag = build.images[0] as string;
    assert.match(tag, /^europe-west1-docker\.pkg\.dev\/kagg-test\/kagg\/kagg-adder:[0-9a-f]{16}$/);
    assert.deepEqual(build.steps, [{ name: 'gcr.io/cloud-builders/docker', args: ['build', '-t', tag, '.'] }]);
    assert.deepEqual(build.source.storageSource.bucket, 'kagg-test_cloudbuild');
    const service = resourceOf(SERVICE);
    assert.match(
      service.template.containers[0].image,
      /^europe-west1-docker\.pkg\.dev\/kagg-test\/kagg\/kagg-adder@sha256:/,
    );
    assert.deepEqual(service.template.containers[0].resources.limits, { cpu: '1', memory: '512Mi' });
    assert.equal(service.template.maxInstanceRequestConcurrency, 80);
    assert.equal(service.labels['kagg-managed-by'], 'kagg');
    assert.deepEqual(fake.policies.get(SERVICE)?.bindings, [{ role: 'roles/run.invoker', members: ['allUsers'] }]);
    assert.ok(
      stages.some((s) => /^building the image: Cloud Build .*: (QUEUED|WORKING)$/.test(s)),
      stages.join('\n'),
    );
    assert.ok(fake.calls('GET', /\/v2\/.*\/operations\//).length >= 3, 'the rollout operation was pending, then done');
    const answer = await post(deployment, { a: 40, b: 2 });
    assert.equal(answer.status, 200, answer.body);
    assert.deepEqual(JSON.parse(answer.body), { sum: 42 });
    assert.equal(answer.headers.get('x-kagg-cold'), '0', "the deploy's health call was the container's cold start");
    console.log(`api calls, first deploy: ${api.length}`);
  });

  it('an unchanged redeploy builds nothing and writes nothing', async () => {
    const n = fake.writes().length;
    const { deployment, api } = await deploy('adder', ADDER, options, adder);
    assert.deepEqual(deployment.written, []);
    assert.deepEqual(writesSince(n), []);
    assert.deepEqual(JSON.parse((await post(deployment, { a: 1, b: 2 })).body), { sum: 3 });
    console.log(`api calls, unchanged deploy: ${api.length}`);
  });

  it('a changed notebook is built again and rolled out; a settings change only updates the service', async () => {
    let n = fake.writes().length;
    const changed = await deploy('adder', TIMES, options, adder);
    assert.deepEqual(changed.deployment.written, ['code']);
    assert.deepEqual(writesSince(n), ['uploadObject', 'createBuild', 'updateService']);
    assert.deepEqual(JSON.parse((await post(changed.deployment, { a: 6, b: 7 })).body), { product: 42 });
    console.log(`api calls, changed deploy: ${changed.api.length}`);
    n = fake.writes().length;
    const image = changed.deployment.providerIds.image;
    const bigger = await deploy(
      'adder',
      TIMES,
      { ...options, cpu: 2, memory: 4096, concurrency: 1, minInstances: 1 },
      changed.deployment,
    );
    assert.deepEqual(bigger.deployment.written, ['config']);
    assert.deepEqual(writesSince(n), ['updateService'], 'no build for a settings change');
    const template = resourceOf(SERVICE).template;
    assert.equal(template.containers[0].image, image);
    assert.deepEqual(template.containers[0].resources.limits, { cpu: '2', memory: '4096Mi' });
    assert.equal(template.maxInstanceRequestConcurrency, 1);
    assert.deepEqual(template.scaling, { minInstanceCount: 1, maxInstanceCount: 10 });
    adder = bigger.deployment;
  });

  it('private: the allUsers binding goes (stale etag retried), the URL refuses 403 without a token, kagg invoke sends one', async () => {
    fake.inject.concurrentIamChange(SERVICE);
    const { deployment, stages } = await deploy(
      'adder',
      TIMES,
      { ...options, cpu: 2, memory: 4096, concurrency: 1, minInstances: 1, public: false },
      adder,
    );
    assert.equal(deployment.auth, 'private');
    assert.deepEqual(deployment.written, ['auth']);
    assert.ok(
      stages.some((s) => s.startsWith('the IAM policy changed meanwhile')),
      'the stale IAM etag was retried',
    );
    assert.deepEqual(fake.policies.get(SERVICE)?.bindings, []);
    const bare = await fetch(deployment.url, { method: 'POST', body: '{}' });
    assert.equal(bare.status, 403);
    const wrong = await fetch(deployment.url, {
      method: 'POST',
      body: '{}',
      headers: { authorization: 'Bearer nope' },
    });
    assert.equal(wrong.status, 403);
    assert.deepEqual(JSON.parse((await post(deployment, { a: 2, b: 3 })).body), { product: 6 });
    adder = deployment;
  });

  it('a service changed by someone else between read and write: the stale etag is read again and retried', async () => {
    fake.inject.concurrentServiceChange(SERVICE);
    const n = fake.writes().length;
    const { deployment, stages } = await deploy('adder', ADDER, { ...options, public: false }, adder);
    assert.ok(
      stages.some((s) => s.startsWith('the service changed meanwhile')),
      stages.join('\n'),
    );
    assert.deepEqual(writesSince(n), ['uploadObject', 'createBuild', 'updateService']);
    assert.deepEqual(JSON.parse((await post(deployment, { a: 2, b: 3 })).body), { sum: 5 });
    adder = deployment;
  });

  it('a failed build surfaces the tail of its log and its console link, and touches no service', async () => {
    fake.inject.buildFailure('Collecting numpy==0.0.1', 'ERROR: No matching distribution found for numpy==0.0.1');
    const n = fake.writes().length;
    await assert.rejects(
      deploy('adder', TIMES, { ...options, public: false }, adder),
      (error: Error & { code?: string; action?: string; details?: Record<string, unknown> }) => {
        assert.equal(error.code, 'CLOUD_RUN_BUILD_FAILED');
        assert.match(error.message, /ended FAILURE/);
        assert.match(error.message, /No matching distribution found for numpy==0\.0\.1/);
        assert.match(error.message, /step exited with non-zero status: 1/);
        assert.match(
          error.action ?? '',
          /https:\/\/console\.cloud\.google\.com\/cloud-build\/builds;region=europe-west1\/[0-9a-f-]+\?project=kagg-test/,
        );
        return true;
      },
    );
    assert.deepEqual(writesSince(n), ['uploadObject', 'createBuild']);
    assert.deepEqual(
      JSON.parse((await post(adder, { a: 2, b: 3 })).body),
      { sum: 5 },
      'the running revision still serves',
    );
  });

  it('--set image=REF deploys a pre-built image without building', async () => {
    const bundle = await bundleOf('prebuilt', TIMES);
    const context = await target.package(bundle, options);
    const image = fake.pushImage('europe-west1-docker.pkg.dev/kagg-test/team/prebuilt:v1', context.files);
    const n = fake.writes().length;
    const { deployment, api } = await deploy('prebuilt', ADDER, { ...options, image });
    assert.deepEqual(writesSince(n), ['createService', 'setIamPolicy']);
    assert.equal(deployment.providerIds.image, image);
    assert.deepEqual(
      JSON.parse((await post(deployment, { a: 3, b: 4 })).body),
      { product: 12 },
      'the image, not the notebook',
    );
    console.log(`api calls, --set image deploy: ${api.length}`);
    await target.destroy(deployment, recordingContext('prebuilt', options));
  });

  it('destroy deletes the service; describe then says missing and the URL is gone', async () => {
    const ctx = recordingContext('adder', options);
    assert.equal((await target.describe(adder, ctx)).state, 'ready');
    await target.destroy(adder, ctx);
    assert.equal(fake.services.has(SERVICE), false);
    assert.equal((await target.describe(adder, ctx)).state, 'missing');
    assert.equal((await fetch(adder.url)).status, 404);
    await target.destroy(adder, ctx);
  });

  it('settings the service cannot take are refused before any call', () => {
    assert.throws(() => resolveCloudRunOptions({ gpu: 1 }), /at least 4 vCPUs and 16 GiB/);
    assert.throws(() => resolveCloudRunOptions({ memory: 8192 }), /needs more vCPUs/);
    assert.throws(() => resolveCloudRunOptions({ minInstances: 5, maxInstances: 2 }), /above maxInstances/);
    const gpu = resolveCloudRunOptions({ gpu: 1, cpu: 4, memory: 16384 });
    assert.equal(gpu.gpuType, 'nvidia-l4');
  });
});
