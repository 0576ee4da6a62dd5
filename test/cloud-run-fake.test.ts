/**
 * The Cloud Run fake is strict where kagg could go wrong: no bearer token is a 401 in Google's
 * envelope; a build fails as `docker build` would (a COPY source missing, no CMD) and writes that to
 * its log; an image must name an existing Artifact Registry repository; a GPU needs 4 vCPU and 16 GiB.
 * It reads the Dockerfile kagg generates the way docker does (CMD, ENV with continuations).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { containerContextFiles, tarFiles } from '@kagg/core/container';
import type { BundleFile } from '@kagg/plugin-api';
import { bundleOf } from '@kagg/testkit/aws-fake';
import { type CloudRunFake, parseDockerfile, startCloudRunFake } from '@kagg/testkit/cloud-run-fake';

const PARENT = '/v1/projects/kagg-test/locations/europe-west1';
const text = (s: string) => new TextEncoder().encode(s);

describe('Cloud Run fake: strict where it matters', () => {
  let fake: CloudRunFake;
  const call = async (method: string, path: string, body?: unknown, token: string | null = fake.accessToken) => {
    const res = await fetch(`${fake.url}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body instanceof Uint8Array
          ? { 'content-type': 'application/gzip' }
          : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: body instanceof Uint8Array ? body : JSON.stringify(body) }),
    });
    // biome-ignore lint/suspicious/noExplicitAny: the fake's JSON answers, read field by field
    return { status: res.status, json: (await res.json()) as Record<string, any> };
  };
  /** Uploads `files` as a context and builds it; returns the build once it ended. */
  const build = async (files: BundleFile[], repository = 'kagg') => {
    const object = `src-${Math.random().toString(36).slice(2)}.tgz`;
    const upload = await call(
      'POST',
      `/upload/storage/v1/b/kagg-test_cloudbuild/o?uploadType=media&name=${object}`,
      new Uint8Array(gzipSync(tarFiles(files))),
    );
    assert.equal(upload.status, 200);
    const tag = `europe-west1-docker.pkg.dev/kagg-test/${repository}/x:1`;
    const created = await call('POST', `${PARENT}/builds`, {
      source: { storageSource: { bucket: 'kagg-test_cloudbuild', object } },
      steps: [{ name: 'gcr.io/cloud-builders/docker', args: ['build', '-t', tag, '.'] }],
      images: [tag],
    });
    if (created.status !== 200) return created;
    const id = created.json.metadata.build.id as string;
    for (;;) {
      const got = await call('GET', `${PARENT}/builds/${id}`);
      if (!['QUEUED', 'WORKING'].includes(got.json.status)) return got;
    }
  };

  before(async () => {
    fake = await startCloudRunFake();
    assert.equal((await call('POST', '/storage/v1/b?project=kagg-test', { name: 'kagg-test_cloudbuild' })).status, 200);
    const repo = await call('POST', `${PARENT}/repositories?repositoryId=kagg`, { format: 'DOCKER' });
    assert.equal(repo.json.done, false, 'repositories.create is an operation');
    while (!(await call('GET', `/v1/${repo.json.name}`)).json.done);
  });
  after(() => fake.close());

  it('no or a wrong bearer token: 401 UNAUTHENTICATED in the envelope', async () => {
    for (const token of [null, 'nope']) {
      const res = await call('GET', `${PARENT}/repositories/kagg`, undefined, token);
      assert.equal(res.status, 401);
      assert.equal(res.json.error.status, 'UNAUTHENTICATED');
    }
  });

  it("kagg's generated context builds; its Dockerfile reads as docker reads it", async () => {
    const files = await containerContextFiles(
      await bundleOf('ctx', [{ source: 'def process_request(p):\n    return p\n' }]),
    );
    const dockerfile = parseDockerfile(Buffer.from(files.find((f) => f.path === 'Dockerfile')?.data ?? []).toString());
    assert.deepEqual(dockerfile.cmd, ['python3', 'server.py']);
    assert.equal(dockerfile.env.PORT, '8080');
    assert.equal(dockerfile.env.PYTHONUNBUFFERED, '1');
    const built = await build(files);
    assert.equal(built.json.status, 'SUCCESS');
    assert.match(built.json.results.images[0].digest, /^sha256:[0-9a-f]{64}$/);
  });

  it('a COPY source missing, or no CMD: FAILURE, and the log says why', async () => {
    const missing = await build([
      { path: 'Dockerfile', data: text('FROM python:3.12-slim\nCOPY requirements.txt ./\nCMD ["python3", "x.py"]\n') },
    ]);
    assert.equal(missing.json.status, 'FAILURE');
    const log = await call(
      'GET',
      `/storage/v1/b/kagg-test.cloudbuild-logs.googleusercontent.com/o/log-${missing.json.id}.txt`,
    );
    assert.equal(log.status, 200, 'the log object exists');
    const raw = await fetch(
      `${fake.url}/storage/v1/b/kagg-test.cloudbuild-logs.googleusercontent.com/o/log-${missing.json.id}.txt?alt=media`,
      { headers: { authorization: `Bearer ${fake.accessToken}` } },
    );
    assert.match(await raw.text(), /"\/requirements\.txt": not found/);
    const noCmd = await build([{ path: 'Dockerfile', data: text('FROM python:3.12-slim\n') }]);
    assert.equal(noCmd.json.status, 'FAILURE');
  });

  it('an image in a repository that does not exist is refused; so is a GPU on 1 vCPU', async () => {
    const refused = await build([{ path: 'Dockerfile', data: text('FROM x\nCMD ["true"]\n') }], 'nope');
    assert.equal(refused.status, 400);
    assert.match(refused.json.error.message, /repository nope does not exist/);
    const gpu = await call('POST', '/v2/projects/kagg-test/locations/europe-west1/services?serviceId=kagg-gpu', {
      template: {
        containers: [
          {
            image: 'europe-west1-docker.pkg.dev/kagg-test/kagg/x:1',
            resources: { limits: { cpu: '1', memory: '16Gi', 'nvidia.com/gpu': '1' } },
          },
        ],
        nodeSelector: { accelerator: 'nvidia-l4' },
      },
    });
    assert.equal(gpu.status, 400);
    assert.match(gpu.json.error.message, /at least 4 CPU/);
  });
});
