/**
 * The local deploy path end to end, through bin/run.js: deploy → invoke → redeploy unchanged (no-op)
 * → redeploy changed (new answer) → destroy, both runtime modes, IPython magics, cold/warm headers.
 */
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cleanup, FIXTURES, isolatedEnv, kagg, kaggJson, tempDir } from './helpers.ts';

interface DeployJson {
  name: string;
  url: string;
  changed: boolean;
  entry: string;
  parameters: string[];
  requirements: string[];
  bundleHash: string;
}
interface InvokeJson {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** Alive and not a zombie (an orphaned server that exited may wait to be reaped by init). */
function processAlive(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

/** The addresses sockets listen on at `port` (Linux's /proc/net/tcp and tcp6): 127.0.0.1, ::, ... */
function listeningAddresses(port: number): string[] {
  const out: string[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').trim().split('\n').slice(1)) {
      const [local = '', , state] = line.trim().split(/\s+/).slice(1);
      const [hex = '', portHex = ''] = local.split(':');
      if (state !== '0A' || Number.parseInt(portHex, 16) !== port) continue; // 0A: LISTEN
      if (hex.length === 8)
        out.push(
          (hex.match(/../g) ?? [])
            .map((b) => Number.parseInt(b, 16))
            .reverse()
            .join('.'),
        );
      else out.push(hex === '0'.repeat(32) ? '::' : `ipv6:${hex}`);
    }
  }
  return out;
}

describe('local target, process_request notebook', () => {
  const home = tempDir();
  const env = isolatedEnv(home);
  const work = tempDir('kagg-nb-');
  const notebook = path.join(work, 'adder.ipynb');
  before(() => copyFileSync(path.join(FIXTURES, 'pm-basic.ipynb'), notebook));
  after(() => cleanup(home));

  let first: DeployJson;
  let pid: number;

  it('deploys and registers the endpoint, printing its URL on stdout', async () => {
    const plain = await kagg(['deploy', notebook], env);
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(plain.stdout.trim(), /^http:\/\/127\.0\.0\.1:\d+\/$/);
    assert.match(plain.stderr, /Deployed adder to local/);
    const shown = await kaggJson<{
      endpoint: { providerIds: { pid: number }; url: string };
      status: { state: string };
    }>(['endpoints', 'show', 'adder'], env);
    assert.equal(shown.json.status.state, 'ready');
    assert.equal(shown.json.endpoint.url, plain.stdout.trim());
    pid = shown.json.endpoint.providerIds.pid;
    assert.ok(processAlive(pid), 'the server outlives the CLI');
  });

  it('listens on the loopback interface only', async () => {
    const shown = await kaggJson<{ endpoint: { url: string } }>(['endpoints', 'show', 'adder'], env);
    const port = Number(new URL(shown.json.endpoint.url).port);
    assert.deepEqual(listeningAddresses(port), ['127.0.0.1']);
  });

  it('answers invoke with the computed value, cold first then warm', async () => {
    const one = await kaggJson<InvokeJson>(['invoke', 'adder', '--data', '{"a": 2, "b": 40}'], env);
    assert.equal(one.code, 0, one.stderr);
    assert.deepEqual(one.json.body, { sum: 42 });
    // Deploy and `endpoints show` check readiness without HTTP, so this is the instance's first response.
    assert.equal(one.json.headers['x-kagg-cold'], '1');
    assert.match(one.json.headers['x-kagg-instance'] ?? '', /^[0-9a-f]{8,}$/);
    assert.match(one.json.headers['x-kagg-init-ms'] ?? '', /^\d+$/);
    const two = await kaggJson<InvokeJson>(['call', 'adder', '--data', '{"a": 1, "b": 1}'], env);
    assert.deepEqual(two.json.body, { sum: 2 });
    assert.equal(two.json.headers['x-kagg-cold'], '0');
    assert.equal(two.json.headers['x-kagg-instance'], one.json.headers['x-kagg-instance']);
    assert.equal(two.json.headers['x-kagg-init-ms'], one.json.headers['x-kagg-init-ms']);
  });

  it('treats a redeploy of the unchanged notebook as a no-op', async () => {
    const again = await kaggJson<DeployJson>(['deploy', notebook], env);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.json.changed, false);
    first = again.json;
    const shown = await kaggJson<{ endpoint: { providerIds: { pid: number } } }>(['endpoints', 'show', 'adder'], env);
    assert.equal(shown.json.endpoint.providerIds.pid, pid, 'the same server keeps running');
  });

  it('replaces the running code when the notebook changes', async () => {
    const nb = JSON.parse(readFileSync(notebook, 'utf8'));
    const cell = nb.cells.find((c: { source: string[] | string }) =>
      String([c.source].flat().join('')).includes('OFFSET = 0'),
    );
    cell.source = ['import json\n', '\n', 'OFFSET = 100'];
    writeFileSync(notebook, JSON.stringify(nb));
    const changed = await kaggJson<DeployJson>(['deploy', notebook], env);
    assert.equal(changed.code, 0, changed.stderr);
    assert.equal(changed.json.changed, true);
    assert.notEqual(changed.json.bundleHash, first.bundleHash);
    const answer = await kaggJson<InvokeJson>(['invoke', 'adder', '--data', '{"a": 2, "b": 40}'], env);
    assert.deepEqual(answer.json.body, { sum: 142 });
    assert.equal(processAlive(pid), false, 'the previous server was stopped');
    const list = await kaggJson<{ endpoints: unknown[] }>(['endpoints', 'list'], env);
    assert.equal(list.json.endpoints.length, 1);
  });

  it('reports a notebook error as HTTP 500 JSON and exits 1; the traceback goes to the log', async () => {
    const bad = await kagg(['invoke', 'adder', '--data', '{"a": 2}'], env);
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /"type": "KeyError"/);
    assert.doesNotMatch(bad.stdout, /Traceback/);
    const logs = await kaggJson<{ name: string; logs: string }>(['logs', 'adder'], env);
    assert.equal(logs.code, 0, logs.stderr);
    assert.match(logs.json.logs, /POST \/ 500/);
    assert.match(logs.json.logs, /KeyError/);
    assert.doesNotMatch(logs.json.logs, /"a": 2/, 'request bodies are never logged');
  });

  it('destroys the endpoint: the server stops and the registry forgets it', async () => {
    const shown = await kaggJson<{ endpoint: { providerIds: { pid: number } } }>(['endpoints', 'show', 'adder'], env);
    const current = shown.json.endpoint.providerIds.pid;
    const gone = await kaggJson<{ destroyed: string }>(['destroy', 'adder'], env);
    assert.equal(gone.code, 0, gone.stderr);
    assert.equal(gone.json.destroyed, 'adder');
    assert.equal(processAlive(current), false);
    const list = await kaggJson<{ endpoints: unknown[] }>(['endpoints', 'list'], env);
    assert.deepEqual(list.json.endpoints, []);
    const missing = await kagg(['invoke', 'adder'], env);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no endpoint named "adder"/);
  });
});

describe('local target, parameters notebook', () => {
  const home = tempDir();
  const env = isolatedEnv(home);
  after(() => cleanup(home));

  it('overrides the parameters cell and returns result', async () => {
    const dep = await kaggJson<DeployJson>(
      ['deploy', path.join(FIXTURES, 'params-basic.ipynb'), '--name', 'greeter'],
      env,
    );
    assert.equal(dep.code, 0, dep.stderr);
    assert.equal(dep.json.entry, 'parameters');
    assert.deepEqual([...dep.json.parameters].sort(), ['flag', 'name', 'scale', 'x']);
    const defaults = await kaggJson<InvokeJson>(['invoke', 'greeter', '--data', '{}'], env);
    assert.deepEqual(defaults.json.body, { greeting: 'hello world', value: 3 });
    const custom = await kaggJson<InvokeJson>(['invoke', 'greeter', '--data', '{"name": "kaggle", "x": 4}'], env);
    assert.deepEqual(custom.json.body, { greeting: 'hello kaggle', value: 6 });
  });

  it('answers 400 listing the accepted parameters for an unknown name or a wrong type', async () => {
    const unknown = await kaggJson<InvokeJson>(['invoke', 'greeter', '--data', '{"nme": "x"}'], env);
    assert.equal(unknown.code, 1);
    assert.equal(unknown.json.status, 400);
    const body = unknown.json.body as { error: string; accepted: Array<{ name: string }> };
    assert.match(body.error, /nme/);
    assert.match(body.error, /x \(int\)/);
    assert.deepEqual(body.accepted.map((a) => a.name).sort(), ['flag', 'name', 'scale', 'x']);
    const wrong = await kaggJson<InvokeJson>(['invoke', 'greeter', '--data', '{"x": "two"}'], env);
    assert.equal(wrong.json.status, 400);
    assert.match((wrong.json.body as { error: string }).error, /x/);
  });
});

describe('local target, a notebook full of IPython magics', () => {
  const home = tempDir();
  const env = isolatedEnv(home);
  after(() => cleanup(home));

  it('turns !pip into requirements, bundles %%writefile, keeps %%time bodies, drops %matplotlib', async () => {
    const dep = await kaggJson<DeployJson>(['deploy', path.join(FIXTURES, 'magics.ipynb'), '--name', 'magics'], env);
    assert.equal(dep.code, 0, dep.stderr);
    assert.deepEqual(dep.json.requirements, ['requests', 'tinyproj==1.0']);
    const answer = await kaggJson<InvokeJson>(['invoke', 'magics', '--data', '{"n": 7}'], env);
    assert.equal(answer.code, 0, answer.stderr);
    assert.deepEqual(answer.json.body, { value: 42 });
  });

  it('packages the same bytes twice (deterministic zip) with helper.py and requirements.txt', async () => {
    const dir = tempDir('kagg-pkg-');
    const a = await kaggJson<{ zip: string; files: string[]; bundleHash: string }>(
      ['package', path.join(FIXTURES, 'magics.ipynb'), '--output', path.join(dir, 'a.zip')],
      env,
    );
    const b = await kaggJson<{ zip: string; bundleHash: string }>(
      ['package', path.join(FIXTURES, 'magics.ipynb'), '--output', path.join(dir, 'b.zip')],
      env,
    );
    assert.equal(a.code, 0, a.stderr);
    assert.deepEqual(readFileSync(a.json.zip), readFileSync(b.json.zip));
    assert.equal(a.json.bundleHash, b.json.bundleHash);
    for (const f of ['helper.py', 'notebook.py', 'kagg_runtime.py', 'kagg_local.py', 'requirements.txt']) {
      assert.ok(a.json.files.includes(f), `${f} is in the package`);
    }
  });
});
