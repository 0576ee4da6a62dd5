// Pins the contract the AWS, GCP and Azure adapters rely on: Runtime.handle(method, path, headers,
// body, query) → Response(status: int, headers: dict[str, str], body: bytes), driven directly
// through a tiny Python harness (JSON lines over stdin/stdout), no HTTP server in between.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Harness, makeBundle, removeBundles } from './fixtures/runtime/bundle.ts';

const harnesses: Harness[] = [];

async function harness(fixture: string, env: Record<string, string> = {}): Promise<{ h: Harness; dir: string }> {
  const dir = await makeBundle(fixture);
  const h = new Harness(dir, env);
  harnesses.push(h);
  return { h, dir };
}

after(async () => {
  await Promise.all(harnesses.map((h) => h.close()));
  await removeBundles();
});

describe('Runtime.handle: the adapters contract', () => {
  let h: Harness;
  let dir: string;
  before(async () => {
    ({ h, dir } = await harness('last-expression'));
  });

  it('returns a Response of int status, str headers and bytes body; root defaults to its own folder', async () => {
    const res = await h.request({ method: 'POST', path: '/', body: '{"x": 4}' });
    assert.deepEqual(res.types, {
      status: 'int',
      headers: 'dict',
      header_values: ['str'],
      body: 'bytes',
      response: 'Response',
    });
    assert.equal(res.root, path.resolve(dir));
    assert.equal(res.status, 200);
    assert.equal(res.headers['x-kagg-cold'], '1');
    assert.match(res.headers['x-kagg-instance'] ?? '', /^[0-9a-f]{16}$/);
    assert.match(res.headers['x-kagg-init-ms'] ?? '', /^\d+$/);
    assert.equal(res.headers['Access-Control-Allow-Origin'], '*');
    assert.equal(res.headers['Content-Type'], 'application/json');
  });

  it('answers with the value of the last expression of the last cell when no `result` is set', async () => {
    const res = await h.request({ method: 'POST', path: '/', body: '{"x": 4}' });
    assert.equal(res.status, 200);
    assert.equal(res.headers['x-kagg-cold'], '0');
    assert.deepEqual(res.json(), { product: 12, sum: 7 });
    const defaults = await h.request({ method: 'POST', path: '/', body: '' });
    assert.deepEqual(defaults.json(), { product: 6, sum: 5 });
  });

  it('takes the query from the query argument, and from the path when the argument is None', async () => {
    const explicit = await h.request({ method: 'GET', path: '/', query: { y: ['10'] } });
    assert.deepEqual(explicit.json(), { product: 20, sum: 12 });
    const fromPath = await h.request({ method: 'GET', path: '/api/fn?x=1', query: null });
    assert.deepEqual(fromPath.json(), { product: 3, sum: 4 });
    const emptyWins = await h.request({ method: 'GET', path: '/?x=1', query: {} });
    assert.deepEqual(emptyWins.json(), {
      status: 'ok',
      entry: 'parameters',
      parameters: [
        { name: 'x', type: 'int', default: 2 },
        { name: 'y', type: 'int', default: 3 },
      ],
    });
  });

  it('accepts the method in any case', async () => {
    const res = await h.request({ method: 'post', path: '/', body: '{"y": 1}' });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json(), { product: 2, sum: 3 });
  });

  it('answers 400 for a body that is not UTF-8 JSON', async () => {
    const res = await h.request({ method: 'POST', path: '/', body: new Uint8Array([0xff, 0xfe, 0x7b]) });
    assert.equal(res.status, 400);
    assert.match((res.json() as { error: string }).error, /^request body is not valid JSON: /);
  });

  it('keeps one instance id and never marks a later response cold', async () => {
    const a = await h.request({ method: 'OPTIONS', path: '/' });
    const b = await h.request({ method: 'HEAD', path: '/' });
    assert.equal(a.status, 204);
    assert.equal(a.body.length, 0);
    assert.equal(b.status, 405);
    assert.equal(b.headers['Allow'], 'GET, POST, OPTIONS');
    for (const res of [a, b]) {
      assert.equal(res.headers['x-kagg-cold'], '0');
      assert.equal(res.headers['Access-Control-Allow-Origin'], '*');
    }
    assert.equal(a.headers['x-kagg-instance'], b.headers['x-kagg-instance']);
  });
});

describe('Runtime.handle: errors', () => {
  it('adds the traceback, starting in the notebook, only when KAGG_DEBUG=1', async () => {
    const { h } = await harness('process-request', { KAGG_DEBUG: '1' });
    const res = await h.request({ method: 'POST', path: '/', body: '{"x": "boom"}' });
    assert.equal(res.status, 500);
    const body = res.json() as { error: string; type: string; traceback: string[] };
    assert.equal(body.error, 'boom!');
    assert.equal(body.type, 'ValueError');
    assert.ok(Array.isArray(body.traceback));
    assert.match(body.traceback[1] ?? '', /notebook\.py", line \d+, in process_request/);
    assert.equal(body.traceback.at(-1), 'ValueError: boom!');
    assert.ok(!body.traceback.some((line) => line.includes('kagg_runtime.py')));
  });

  it('turns SystemExit in process_request into a 500 and keeps serving', async () => {
    const { h } = await harness('process-request', { KAGG_DEBUG: '0' });
    const exit = await h.request({ method: 'POST', path: '/', body: '{"kind": "exit"}' });
    assert.equal(exit.status, 500);
    assert.deepEqual(exit.json(), { error: '3', type: 'SystemExit' });
    const next = await h.request({ method: 'POST', path: '/', body: '{"x": 1}' });
    assert.equal(next.status, 200);
    assert.deepEqual(next.json(), { doubled: 2 });
  });

  it('answers 500 with a message showing both entry points when the notebook has neither', async () => {
    const { h } = await harness('no-entry');
    for (const req of [
      { method: 'GET', path: '/' },
      { method: 'POST', path: '/', body: '{}' },
    ]) {
      const res = await h.request(req);
      assert.equal(res.status, 500, req.method);
      const body = res.json() as { error: string; type: string; traceback?: unknown };
      assert.equal(body.type, 'NoEntryPoint');
      assert.match(body.error, /process_request\(payload\)/);
      assert.match(body.error, /'parameters'/);
      assert.equal(body.traceback, undefined);
    }
  });
});
