/**
 * `kagg package --container` and `kagg deploy --container` as a user runs them: the container plugin
 * linked into an isolated kagg, DOCKER_HOST pointing at the strict fake Engine API. The build context
 * is written without any daemon, is the same bytes twice, and is served by its CMD under python3;
 * deploy → invoke → unchanged no-op (no Engine API write) → destroy; no daemon: a clear error,
 * exit 1, the registry unchanged. One test runs a real `docker build` of the context, and only where
 * a Docker daemon answers (`docker info`); elsewhere it is skipped, saying so.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { type DockerFake, startDockerFake } from '@kagg/testkit/docker-fake';
import { cleanup, FIXTURES, isolatedEnv, kagg, kaggJson, ROOT, tempDir } from './helpers.ts';

const execFileAsync = promisify(execFile);
const NOTEBOOK = path.join(FIXTURES, 'pm-basic.ipynb');

describe('kagg package/deploy --container through the CLI', () => {
  const home = tempDir();
  let fake: DockerFake;
  let env: NodeJS.ProcessEnv;
  const registry = () => {
    const file = path.join(home, 'endpoints.json');
    return existsSync(file) ? readFileSync(file, 'utf8') : '';
  };

  before(async () => {
    fake = await startDockerFake();
    // No engine unless a test gives DOCKER_HOST.
    env = isolatedEnv(home, { DOCKER_HOST: 'unix:///nonexistent/docker.sock' });
    const linked = await kagg(['plugins', 'link', path.join(ROOT, 'plugins', 'container'), '--no-install'], env);
    assert.equal(linked.code, 0, linked.stderr);
  });
  after(async () => {
    await cleanup(home);
    await fake.stop();
  });

  it('packages the build context without a daemon, deterministically, and its CMD serves the notebook', async () => {
    const dir = path.join(home, 'ctx');
    const zip = (n: number) => path.join(home, `adder-${n}.zip`);
    const first = await kaggJson<{ files: string[]; target: string }>(
      ['package', NOTEBOOK, '--container', '--name', 'adder', '--dir', dir, '--output', zip(1)],
      env,
    );
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.json.target, 'container');
    for (const f of ['Dockerfile', '.dockerignore', 'requirements.txt', 'server.py', 'kagg_runtime.py', 'notebook.py'])
      assert.ok(first.json.files.includes(f), f);
    const second = await kagg(['package', NOTEBOOK, '--container', '--name', 'adder', '--output', zip(2)], env);
    assert.equal(second.code, 0, second.stderr);
    assert.ok(readFileSync(zip(1)).equals(readFileSync(zip(2))), 'same notebook, same bytes');

    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as { port: number };
        probe.close(() => resolve(free));
      });
    });
    const child = spawn('python3', ['server.py'], {
      cwd: dir,
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1' },
      stdio: 'ignore',
    });
    try {
      let res: Response | undefined;
      for (let i = 0; i < 300 && !res; i++) {
        res = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: '{"a": 40, "b": 2}' }).catch(
          () => undefined,
        );
        if (!res) await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(res?.status, 200);
      assert.equal(res?.headers.get('x-kagg-cold'), '1');
      assert.deepEqual(await res?.json(), { sum: 42 });
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('without a daemon, deploy says what to install or start and exits 1, nothing registered', async () => {
    const result = await kagg(['deploy', NOTEBOOK, '--container', '--name', 'adder'], env);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /no Docker or Podman engine answers at unix:\/\/\/nonexistent\/docker\.sock/);
    assert.match(result.stderr, /systemctl start docker/);
    assert.ok(!registry().includes('"adder"'), registry());
  });

  it('deploys, answers, redeploys an unchanged notebook with no Engine API write, destroys', async () => {
    const withEngine = { ...env, DOCKER_HOST: fake.host };
    const dep = await kaggJson<{ target: string; url: string }>(
      ['deploy', NOTEBOOK, '--container', '--name', 'adder'],
      withEngine,
    );
    assert.equal(dep.code, 0, dep.stderr);
    assert.equal(dep.json.target, 'container');
    const answer = await kaggJson<{ status: number; body: unknown }>(
      ['invoke', 'adder', '--data', '{"a": 1, "b": 2}'],
      withEngine,
    );
    assert.deepEqual(answer.json.body, { sum: 3 });

    fake.calls.length = 0;
    const again = await kaggJson<{ changed: boolean }>(
      ['deploy', NOTEBOOK, '--container', '--name', 'adder'],
      withEngine,
    );
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.json.changed, false);
    assert.deepEqual(
      fake.calls.filter((c) => !c.startsWith('GET ')),
      [],
    );

    const destroyed = await kagg(['destroy', 'adder', '--yes', '--json'], withEngine);
    assert.equal(destroyed.code, 0, destroyed.stderr);
    assert.equal(fake.containers.size, 0);
    await assert.rejects(fetch(dep.json.url));
  });

  it('a real `docker build` builds the packaged context (only where a Docker daemon answers)', async (t) => {
    const info = await execFileAsync('docker', ['info', '--format', '{{.ServerVersion}}'], {
      env: { ...process.env },
      timeout: 30_000,
    }).catch((error: Error & { stderr?: string }) => error);
    if (info instanceof Error) {
      const why = (info.stderr ?? info.message).trim().split('\n')[0];
      return t.skip(`no Docker daemon: \`docker info\` failed (${why}); this test builds the image where one runs`);
    }
    const dir = path.join(home, 'ctx');
    const tag = `kagg-test-adder:${Date.now()}`;
    try {
      await execFileAsync('docker', ['build', '--quiet', '--tag', tag, dir], { timeout: 600_000 });
      const { stdout } = await execFileAsync('docker', [
        'image',
        'inspect',
        '--format',
        '{{json .Config.Cmd}} {{.Config.User}}',
        tag,
      ]);
      assert.equal(stdout.trim(), '["python3","server.py"] 10001:10001');
    } finally {
      await execFileAsync('docker', ['image', 'rm', '--force', tag]).catch(() => {});
    }
  });
});
