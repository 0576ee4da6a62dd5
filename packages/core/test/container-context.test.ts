// The container build context: deterministic bytes, a Dockerfile that follows the layer and user
// rules, a ustar archive real tar readers accept, and the CMD serving the notebook under python3.
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createBundle } from '@kagg/core/bundle';
import {
  BASE_IMAGE,
  CONTAINER_CMD,
  containerContextFiles,
  tarFiles,
  writeContainerContext,
} from '@kagg/core/container';
import { convertNotebook, readNotebook } from '@kagg/core/notebook';
import { notebookJson } from '@kagg/testkit/notebooks';

const NOTEBOOK = notebookJson([
  { source: '!pip install "requests==2.32.3"\nimport json\ncalls = 0' },
  {
    source: [
      'def process_request(payload):',
      '    global calls',
      '    calls += 1',
      "    if payload.get('fail'):",
      "        raise ValueError('asked to fail')",
      "    return {'doubled': payload.get('x', 0) * 2, 'calls': calls}",
    ].join('\n'),
  },
  { source: '%%writefile helper/data.txt\nhello' },
]);

async function bundleOf(text: string) {
  const conversion = convertNotebook(readNotebook(text, 'model.ipynb'));
  return createBundle({ name: 'model', source: 'model.ipynb', conversion });
}

const temps: string[] = [];
after(async () => {
  await Promise.all(temps.map((d) => rm(d, { recursive: true, force: true })));
});

describe('container build context', () => {
  it('is deterministic: the same notebook gives the same files and the same tar bytes', async () => {
    const a = await containerContextFiles(await bundleOf(NOTEBOOK));
    const b = await containerContextFiles(await bundleOf(NOTEBOOK));
    assert.deepEqual(
      a.map((f) => f.path),
      [
        '.dockerignore',
        'Dockerfile',
        'helper/data.txt',
        'kagg_local_server.py',
        'kagg_runtime.py',
        'notebook.py',
        'requirements.txt',
        'server.py',
      ],
    );
    assert.deepEqual(Buffer.from(tarFiles(a)), Buffer.from(tarFiles(b)));
    const changed = await containerContextFiles(await bundleOf(NOTEBOOK.replace('* 2', '* 3')));
    assert.notDeepEqual(Buffer.from(tarFiles(changed)), Buffer.from(tarFiles(a)));
  });

  it('writes a Dockerfile: pinned base, requirements layer before the code, non-root, PORT, HEALTHCHECK, CMD', async () => {
    const files = await containerContextFiles(await bundleOf(NOTEBOOK));
    const text = (p: string) => Buffer.from(files.find((f) => f.path === p)!.data).toString('utf8');
    const dockerfile = text('Dockerfile');
    assert.match(BASE_IMAGE, /^python:3\.12-slim@sha256:[0-9a-f]{64}$/);
    assert.ok(dockerfile.includes(`FROM ${BASE_IMAGE}\n`));
    const lines = dockerfile.split('\n');
    const at = (prefix: string) => lines.findIndex((l) => l.startsWith(prefix));
    assert.ok(at('COPY requirements.txt ./') < at('RUN pip install'), 'requirements copied before pip install');
    assert.ok(at('RUN pip install') < at('COPY . ./'), 'pip install before the code');
    assert.match(lines[at('USER ')]!, /^USER [1-9]\d*:[1-9]\d*$/);
    assert.ok(at('USER ') > at('COPY . ./'));
    assert.match(dockerfile, /PORT=8080/);
    assert.match(dockerfile, /^HEALTHCHECK .* CMD \["python3","-c",".*PORT.*"\]$/m);
    assert.equal(lines[at('CMD ')], `CMD ${JSON.stringify(CONTAINER_CMD)}`);
    assert.equal(text('requirements.txt'), 'requests==2.32.3\n');
    assert.match(text('.dockerignore'), /__pycache__/);
  });

  it('produces a tar archive that python tarfile and the tar CLI read back byte for byte', async () => {
    const files = await containerContextFiles(await bundleOf(NOTEBOOK));
    const dir = await mkdtemp(path.join(os.tmpdir(), 'kagg-ctx-tar-'));
    temps.push(dir);
    const tar = path.join(dir, 'ctx.tar');
    await writeFile(tar, tarFiles(files));
    const listed = execFileSync('python3', [
      '-c',
      'import sys, tarfile, json\nwith tarfile.open(sys.argv[1]) as t:\n  print(json.dumps({m.name: [m.isdir(), m.mode, m.mtime, m.uid] for m in t.getmembers()}))',
      tar,
    ]).toString();
    const members = JSON.parse(listed) as Record<string, [boolean, number, number, number]>;
    assert.deepEqual(members['helper'], [true, 0o755, 0, 0]);
    for (const f of files) assert.deepEqual(members[f.path], [false, f.mode ?? 0o644, 0, 0], f.path);
    const out = path.join(dir, 'out');
    await mkdir(out);
    execFileSync('tar', ['-xf', tar, '-C', out]);
    for (const f of files) assert.deepEqual(await readFile(path.join(out, f.path)), Buffer.from(f.data), f.path);
  });

  it('refuses a bundle file that would replace a generated one, naming it', async () => {
    const bundle = await bundleOf(NOTEBOOK.replace('helper/data.txt', 'Dockerfile'));
    await assert.rejects(containerContextFiles(bundle), { code: 'CONTAINER_FILE_CONFLICT', message: /own Dockerfile/ });
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function firstAnswer(url: string, child: ChildProcess, stderr: () => string): Promise<Response> {
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`server.py exited with ${child.exitCode}:\n${stderr()}`);
    try {
      return await fetch(url);
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`server.py did not answer:\n${stderr()}`);
}

describe("the context's CMD, run by hand under python3 with PORT", () => {
  let child: ChildProcess;
  let url: string;
  let stderr = '';
  let ctxDir = '';
  before(async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'kagg-ctx-run-'));
    ctxDir = dir;
    temps.push(dir);
    await writeContainerContext(dir, await bundleOf(NOTEBOOK));
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const [cmd, ...args] = CONTAINER_CMD;
    child = spawn(cmd!, args, {
      cwd: dir,
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', KAGG_MAX_BODY_BYTES: '1000' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr!.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
    });
  });
  after(async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
  });

  it('answers its first request cold with the health document, then calls warm', async () => {
    const health = await firstAnswer(`${url}/`, child, () => stderr);
    assert.equal(health.status, 200);
    assert.equal(health.headers.get('x-kagg-cold'), '1');
    assert.deepEqual(await health.json(), { status: 'ok', entry: 'process_request', parameters: [] });
    const res = await fetch(url, { method: 'POST', body: JSON.stringify({ x: 21 }) });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-kagg-cold'), '0');
    assert.equal(res.headers.get('content-type'), 'application/json');
    assert.equal(((await res.json()) as { doubled: number }).doubled, 42);
  });

  it('maps bad JSON to 400, a notebook error to 500, an oversized body to 413', async () => {
    const bad = await fetch(url, { method: 'POST', body: '{"x":' });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { type: string }).type, 'BadRequest');
    const failed = await fetch(url, { method: 'POST', body: JSON.stringify({ fail: true }) });
    assert.equal(failed.status, 500);
    assert.deepEqual(await failed.json(), { error: 'asked to fail', type: 'ValueError' });
    const big = await fetch(url, { method: 'POST', body: JSON.stringify({ x: 1, pad: 'y'.repeat(2000) }) });
    assert.equal(big.status, 413);
  });

  it('decodes a chunked request body', async () => {
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(`${url}/`, { method: 'POST', headers: { 'transfer-encoding': 'chunked' } }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (c: string) => {
          text += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.on('error', reject);
      req.write('{"x"');
      req.write(': 5}');
      req.end();
    });
    assert.equal(status, 200);
    assert.equal((JSON.parse(body) as { doubled: number }).doubled, 10);
  });

  it('refuses a PORT that is not a port number, naming it, with exit code 2', () => {
    const [cmd, ...args] = CONTAINER_CMD;
    const run = spawnSync(cmd!, args, { cwd: ctxDir, env: { ...process.env, PORT: 'http' }, encoding: 'utf8' });
    assert.equal(run.status, 2);
    assert.match(run.stderr, /PORT must be a port number.*'http'/);
  });
});
