// The container target against the strict fake Engine API: what each deploy costs in Engine API
// calls, no rebuild of an unchanged context, a stable port, rollback when the new version fails,
// a failed build shown with its log, strays removed by destroy, and the daemon missing. The docker
// CLI itself checks that the fake speaks the real API.
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { createBundle } from '@kagg/core/bundle';
import { tarFiles } from '@kagg/core/container';
import { convertNotebook, readNotebook } from '@kagg/core/notebook';
import type { DeployContext, Deployment, OperationContext } from '@kagg/plugin-api';
import { containerTarget, resolveEngine } from '@kagg/plugin-container';
import { type DockerFake, startDockerFake } from '@kagg/testkit/docker-fake';
import { notebookJson } from '@kagg/testkit/notebooks';
import { tempDir } from '@kagg/testkit/temp';

const doubler = (factor: number) =>
  notebookJson([{ source: `def process_request(payload):\n    return {"out": payload.get("x", 0) * ${factor}}` }]);

async function bundleOf(name: string, text: string) {
  return createBundle({
    name,
    source: `${name}.ipynb`,
    conversion: convertNotebook(readNotebook(text, `${name}.ipynb`)),
  });
}

const execFileAsync = promisify(execFile);
let fake: DockerFake;
const base = tempDir('kagg-container-test-');
const stages: string[] = [];
const context = (options: Record<string, unknown>): OperationContext => ({
  stateDir: `${base}/state`,
  logDir: `${base}/logs`,
  progress: (s) => stages.push(s),
  log: { info() {}, warn() {}, debug() {} },
  signal: new AbortController().signal,
  options,
});
const deployCtx = (name: string, options: Record<string, unknown>, previous?: Deployment): DeployContext => ({
  ...context(options),
  name,
  resourceName: name,
  options,
  env: {},
  ...(previous ? { previous } : {}),
});

async function call(d: Deployment, x: number): Promise<unknown> {
  const res = await fetch(d.url, { method: 'POST', body: JSON.stringify({ x }) });
  assert.equal(res.status, 200);
  return res.json();
}

before(async () => {
  fake = await startDockerFake();
});
after(async () => {
  await fake.stop();
});

describe('container target: deploys against the Engine API', () => {
  const name = 'doubler';
  let options: Record<string, unknown>;
  let deployment: Deployment;
  before(() => {
    options = { dockerHost: fake.host, startTimeout: 60 };
  });

  it('first deploy: ping, image look-up, build, create, start, list: six Engine API calls', async () => {
    fake.calls.length = 0;
    const artifact = await containerTarget.package(await bundleOf(name, doubler(2)), options);
    deployment = await containerTarget.deploy(artifact, deployCtx(name, options));
    assert.deepEqual(fake.calls, [
      'GET /_ping',
      'GET /images/{id}/json',
      'POST /build',
      'POST /containers/create',
      'POST /containers/{id}/start',
      'GET /containers/json',
    ]);
    assert.deepEqual(await call(deployment, 21), { out: 42 });
    assert.match(deployment.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    assert.match(String(deployment.providerIds.image), /^kagg-doubler:[0-9a-f]{12}$/);
    assert.deepEqual(deployment.written, ['image', 'container']);
    const [container] = fake.containers.values();
    assert.equal(container?.labels['kagg.endpoint'], name);
    assert.deepEqual(container?.bindings['8080/tcp'], [
      { HostIp: '127.0.0.1', HostPort: String(deployment.providerIds.port) },
    ]);
  });

  it('an unchanged context is not rebuilt; the redeploy keeps the port and replaces the container', async () => {
    fake.calls.length = 0;
    const artifact = await containerTarget.package(await bundleOf(name, doubler(2)), options);
    const again = await containerTarget.deploy(artifact, deployCtx(name, options, deployment));
    assert.deepEqual(fake.calls, [
      'GET /_ping',
      'GET /images/{id}/json',
      'GET /containers/{id}/json',
      'POST /containers/create',
      'POST /containers/{id}/stop',
      'POST /containers/{id}/start',
      'GET /containers/json',
      'DELETE /containers/{id}',
    ]);
    assert.equal(again.url, deployment.url);
    assert.notEqual(again.providerIds.container, deployment.providerIds.container);
    assert.deepEqual(again.written, ['container']);
    assert.equal(fake.containers.size, 1);
    deployment = again;
  });

  it('a changed notebook builds a new image and serves it at the same URL', async () => {
    const artifact = await containerTarget.package(await bundleOf(name, doubler(3)), options);
    const changed = await containerTarget.deploy(artifact, deployCtx(name, options, deployment));
    assert.equal(changed.url, deployment.url);
    assert.notEqual(changed.providerIds.image, deployment.providerIds.image);
    assert.deepEqual(await call(changed, 2), { out: 6 });
    deployment = changed;
  });

  it('a failed build is shown with the build log; the previous version keeps serving', async () => {
    fake.failNextBuild('pip install: no matching distribution found for nope==9.9');
    const artifact = await containerTarget.package(await bundleOf(name, doubler(5)), options);
    await assert.rejects(containerTarget.deploy(artifact, deployCtx(name, options, deployment)), {
      code: 'CONTAINER_BUILD_FAILED',
      message: /the image build failed: pip install: no matching distribution found for nope==9\.9\n.*Step 1\/1/s,
    });
    assert.deepEqual(await call(deployment, 2), { out: 6 });
  });

  it('a new version failing at start-up is removed and the previous one serves again on the same port', async () => {
    const broken = notebookJson([
      { source: 'raise RuntimeError("no model file")\ndef process_request(p):\n    return p' },
    ]);
    const artifact = await containerTarget.package(await bundleOf(name, broken), options);
    await assert.rejects(containerTarget.deploy(artifact, deployCtx(name, options, deployment)), (error: Error) => {
      assert.match(error.message, /no model file/);
      assert.match(error.message, /the previous version is serving again/);
      return true;
    });
    assert.deepEqual(await call(deployment, 2), { out: 6 });
    assert.equal(fake.containers.size, 1);
    assert.equal((await containerTarget.describe(deployment, context(options))).state, 'ready');
  });

  it('the docker CLI itself accepts the fake: docker version and docker ps --filter label', async (t) => {
    if (spawnSync('docker', ['--version']).status !== 0) return t.skip('no docker CLI on this machine');
    // Asynchronously: the fake answers from this process.
    const env = { ...process.env, DOCKER_HOST: fake.host, DOCKER_CONFIG: base };
    const docker = async (args: string[]) => (await execFileAsync('docker', args, { env, timeout: 60_000 })).stdout;
    const version = await docker(['version', '--format', '{{.Server.APIVersion}}']);
    assert.equal(version.trim(), '1.43');
    const ps = await docker(['ps', '--filter', `label=kagg.endpoint=${name}`, '--format', '{{.Names}} {{.Ports}}']);
    assert.match(ps, new RegExp(`^kagg-${name}-[0-9a-f]{8} 127\\.0\\.0\\.1:${deployment.providerIds.port}->8080/tcp`));
  });

  it('destroy removes the container and any stray labelled for the endpoint', async () => {
    const stray = await fetch(`${fake.url}/v1.41/containers/create?name=stray`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ Image: deployment.providerIds.image, Labels: { 'kagg.endpoint': name } }),
    });
    assert.equal(stray.status, 201);
    assert.equal(fake.containers.size, 2);
    await containerTarget.destroy(deployment, context(options));
    assert.equal(fake.containers.size, 0);
    assert.equal((await containerTarget.describe(deployment, context(options))).state, 'missing');
    await assert.rejects(fetch(deployment.url));
  });
});

describe('container target: without an engine', () => {
  it('says what to install or start, exit 1, for a missing socket and for a closed port', async () => {
    const artifact = await containerTarget.package(await bundleOf('lonely', doubler(2)), {});
    for (const dockerHost of ['unix:///nonexistent/docker.sock', 'tcp://127.0.0.1:1']) {
      await assert.rejects(containerTarget.deploy(artifact, deployCtx('lonely', { dockerHost })), (error: Error) => {
        const e = error as Error & { code: string; exitCode: number; action: string };
        assert.equal(e.code, 'CONTAINER_NO_ENGINE');
        assert.equal(e.exitCode, 1);
        assert.ok(e.message.includes(dockerHost), e.message);
        assert.match(e.action, /install Docker or Podman.*systemctl start docker.*podman system service/);
        return true;
      });
    }
  });

  it('refuses a DOCKER_HOST it cannot speak to, as a usage error; finds a Podman socket', () => {
    assert.throws(() => resolveEngine(undefined, { DOCKER_HOST: 'ssh://me@box' }), {
      code: 'CONTAINER_ENGINE_HOST',
      exitCode: 2,
    });
    const xdg = tempDir('kagg-xdg-');
    mkdirSync(`${xdg}/podman`);
    writeFileSync(`${xdg}/podman/podman.sock`, '');
    const podman = resolveEngine(undefined, { XDG_RUNTIME_DIR: xdg });
    if (existsSync('/var/run/docker.sock')) return; // a real Docker socket comes first
    assert.equal(podman.socketPath, `${xdg}/podman/podman.sock`);
  });
});

describe('the fake engine refuses what the real one refuses', () => {
  const post = (path: string, body: string | Buffer, type: string) =>
    fetch(`${fake.url}/v1.41${path}`, { method: 'POST', headers: { 'content-type': type }, body });

  it('a build without a Dockerfile (500), a malformed tar (400), an unknown image (404), a public port (400)', async () => {
    const noDockerfile = tarFiles([{ path: 'server.py', data: new TextEncoder().encode('print(1)') }]);
    const r1 = await post('/build?t=kagg-x:1', Buffer.from(noDockerfile), 'application/x-tar');
    assert.equal(r1.status, 500);
    assert.deepEqual(await r1.json(), { message: 'Cannot locate specified Dockerfile: Dockerfile' });
    const torn = Buffer.from(noDockerfile).subarray(0, 700);
    const r2 = await post('/build?t=kagg-x:1', torn, 'application/x-tar');
    assert.equal(r2.status, 400);
    assert.match(((await r2.json()) as { message: string }).message, /tar/);
    const r3 = await post('/containers/create', JSON.stringify({ Image: 'kagg-nope:1' }), 'application/json');
    assert.equal(r3.status, 404);
    assert.deepEqual(await r3.json(), { message: 'No such image: kagg-nope:1' });
    const dockerfile = 'FROM python:3.12-slim\nCMD ["python3", "-c", "pass"]\n';
    const ok = tarFiles([{ path: 'Dockerfile', data: new TextEncoder().encode(dockerfile) }]);
    assert.equal((await post('/build?t=kagg-x:1', Buffer.from(ok), 'application/x-tar')).status, 200);
    const r4 = await post(
      '/containers/create',
      JSON.stringify({
        Image: 'kagg-x:1',
        HostConfig: { PortBindings: { '8080/tcp': [{ HostIp: '0.0.0.0', HostPort: '80' }] } },
      }),
      'application/json',
    );
    assert.equal(r4.status, 400);
    const missing = await fetch(`${fake.url}/v1.41/images/kagg-x:2/json`);
    assert.equal(missing.status, 404);
  });
});
