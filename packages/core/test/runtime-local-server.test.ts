import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type LocalServer, makeBundle, removeBundles, startLocalServer } from './fixtures/runtime/bundle.ts';

const servers: LocalServer[] = [];

async function serve(fixture: string): Promise<LocalServer> {
  const server = await startLocalServer(await makeBundle(fixture));
  servers.push(server);
  return server;
}

async function post(server: LocalServer, body: unknown, raw = false): Promise<Response> {
  return fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: raw ? (body as string) : JSON.stringify(body),
  });
}

after(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  await removeBundles();
});

describe('local server: a process_request notebook', () => {
  let server: LocalServer;
  let instance: string | null;
  before(async () => {
    server = await serve('process-request');
  });

  it('answers GET / with health, marking the first response cold, with CORS and timing headers', async () => {
    const res = await fetch(`${server.url}/`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/json');
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    assert.equal(res.headers.get('x-kagg-cold'), '1');
    instance = res.headers.get('x-kagg-instance');
    assert.match(instance ?? '', /^[0-9a-f]{16}$/);
    assert.match(res.headers.get('x-kagg-init-ms') ?? '', /^\d+$/);
    assert.deepEqual(await res.json(), { status: 'ok', entry: 'process_request', parameters: [] });
  });

  it('calls process_request with the POSTed JSON; later responses are warm on the same instance', async () => {
    const res = await post(server, { x: 21 });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { doubled: 42 });
    assert.equal(res.headers.get('x-kagg-cold'), '0');
    assert.equal(res.headers.get('x-kagg-instance'), instance);
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
  });

  it('keeps module state between calls in process_request mode', async () => {
    const first = (await (await post(server, { kind: 'calls' })).json()) as { calls: number };
    const second = (await (await post(server, { kind: 'calls' })).json()) as { calls: number };
    assert.equal(second.calls, first.calls + 1);
  });

  it('finds bundled /kaggle/input and /kaggle/working files, and writes to a working mirror', async () => {
    const res = await post(server, { kind: 'files' });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { files: Record<string, unknown>; pickled: number[]; module: string };
    assert.deepEqual(body.files, {
      model: 'weights=0.5',
      rows: [
        { a: '1', b: '2' },
        { a: '3', b: '4' },
      ],
      written: 'written at cold start',
      exists_input: true,
      isfile_input: true,
      isdir_input: true,
      missing: false,
      listdir_working: ['legacy.txt', 'models', 'out'],
      scandir_working: ['legacy.txt', 'models', 'out'],
      stat_size: 12,
      legacy_relative: 'a,b',
      working_relative: 'legacy output',
      cwd_is_bundle: true,
    });
    assert.deepEqual(body.pickled, [1, 2], 'a class defined in the notebook pickles (module "notebook")');
    assert.equal(body.module, 'notebook');
  });

  it('answers 400 with the notebook BadRequest message', async () => {
    const res = await post(server, {});
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), { error: 'x is required', type: 'BadRequest' });
  });

  it('treats an empty POST body as {}', async () => {
    const res = await fetch(server.url, { method: 'POST' });
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), { error: 'x is required', type: 'BadRequest' });
  });

  it('answers 400 for a body that is not JSON', async () => {
    const res = await post(server, '{"x": ', true);
    assert.equal(res.status, 400);
    const body = (await res.json()) as { error: string; type: string };
    assert.equal(body.type, 'BadRequest');
    assert.match(body.error, /^request body is not valid JSON: /);
  });

  it('answers 500 with the exception message and class, without a traceback', async () => {
    const res = await post(server, { x: 'boom' });
    assert.equal(res.status, 500);
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    assert.deepEqual(await res.json(), { error: 'boom!', type: 'ValueError' });
    assert.match(server.stderr(), /ValueError: boom!/, 'the traceback goes to stderr');
  });

  it('returns bytes as application/octet-stream', async () => {
    const res = await post(server, { kind: 'bytes' });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/octet-stream');
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), Buffer.from([0, 1, ...Buffer.from('binary'), 0xff]));
  });

  it('sends a Response returned by process_request as it is, plus the runtime headers', async () => {
    const res = await post(server, { kind: 'custom' });
    assert.equal(res.status, 201);
    assert.equal(res.headers.get('content-type'), 'text/plain');
    assert.equal(res.headers.get('x-custom'), 'yes');
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    assert.equal(res.headers.get('x-kagg-cold'), '0');
    assert.equal(await res.text(), 'created');
  });

  it('encodes tolist()/item() objects, sets, tuples, dates, Decimal and NaN', async () => {
    const res = await post(server, { kind: 'array' });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {
      array: [
        [1, 2],
        [3, 4],
      ],
      scalar: 7,
      set: [1, 2, 3],
      tuple: [1, 'two'],
      when: '2024-05-06T07:08:09',
      day: '2024-05-06',
      price: 1.25,
      nan: null,
    });
  });

  it('answers 500 naming the type of a value that cannot be serialised', async () => {
    const res = await post(server, { kind: 'opaque' });
    assert.equal(res.status, 500);
    const body = (await res.json()) as { error: string; type: string };
    assert.equal(body.type, 'TypeError');
    assert.match(body.error, /not JSON serialisable: object of type Opaque/);
  });

  it('calls process_request for a GET with a query, parsing JSON literals and collecting repeated keys', async () => {
    const one = await fetch(`${server.url}/?x=5`);
    assert.equal(one.status, 200);
    assert.deepEqual(await one.json(), { doubled: 10 });
    const echo = await fetch(`${server.url}/?kind=echo&x=5&x=6&name=bob&flag=true&list=%5B1%2C2%5D`);
    assert.deepEqual(await echo.json(), {
      payload: { kind: 'echo', x: [5, 6], name: 'bob', flag: true, list: [1, 2] },
    });
  });

  it('answers OPTIONS with a 204 CORS preflight', async () => {
    const res = await fetch(server.url, { method: 'OPTIONS' });
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    assert.equal(res.headers.get('access-control-allow-methods'), 'GET, POST, OPTIONS');
    assert.equal(res.headers.get('access-control-allow-headers'), 'Content-Type, Authorization, X-Functions-Key');
    assert.equal(res.headers.get('access-control-max-age'), '3600');
    assert.equal(res.headers.get('x-kagg-cold'), '0');
    assert.equal(await res.text(), '');
  });

  it('answers other methods 405 with an Allow header', async () => {
    for (const method of ['PUT', 'DELETE', 'PATCH']) {
      const res = await fetch(server.url, { method, body: method === 'DELETE' ? undefined : '{}' });
      assert.equal(res.status, 405, method);
      assert.equal(res.headers.get('allow'), 'GET, POST, OPTIONS');
      assert.equal(res.headers.get('access-control-allow-origin'), '*');
      assert.deepEqual(await res.json(), { error: 'method not allowed', type: 'MethodNotAllowed' });
    }
  });

  it('logs one line per request without bodies or query strings', async () => {
    await post(server, { kind: 'echo', secret: 'body-marker-4711' });
    await fetch(`${server.url}/?kind=echo&secret=query-marker-4712`);
    const log = server.stderr();
    assert.match(log, /POST \/ 200 \d+ms/);
    assert.match(log, /GET \/ 200 \d+ms/);
    assert.match(log, /PUT \/ 405 \d+ms/);
    assert.doesNotMatch(log, /body-marker-4711/);
    assert.doesNotMatch(log, /query-marker-4712/);
  });
});

describe('local server: a parameters notebook', () => {
  let server: LocalServer;
  const accepted = [
    { name: 'n', type: 'int', default: 3 },
    { name: 'factor', type: 'float', default: 1.5 },
    { name: 'name', type: 'str', default: 'world' },
    { name: 'shout', type: 'bool', default: false },
    { name: 'tags', type: 'NoneType', default: null },
  ];
  const listing = 'accepted parameters: n (int), factor (float), name (str), shout (bool), tags (NoneType)';
  before(async () => {
    server = await serve('parameters');
  });

  it('lists the accepted parameters in the health answer', async () => {
    const res = await fetch(server.url);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-kagg-cold'), '1');
    assert.deepEqual(await res.json(), { status: 'ok', entry: 'parameters', parameters: accepted });
  });

  it('runs with the defaults for {}', async () => {
    const res = await post(server, {});
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {
      n: 3,
      total: 4.5,
      greeting: 'hello world',
      calls: 1,
      tags: null,
      types: ['int', 'float'],
      limit: 6,
    });
  });

  it('applies overrides (int for float, any value for a None default), visible to earlier functions', async () => {
    const res = await post(server, { n: 4, factor: 2, name: 'kagg', shout: true, tags: ['a', 'b'] });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {
      n: 4,
      total: 8,
      greeting: 'HELLO KAGG',
      calls: 1,
      tags: ['a', 'b'],
      types: ['int', 'float'],
      limit: 6,
    });
  });

  it('starts every call from fresh state: no counter accumulates, no override lingers', async () => {
    for (let i = 0; i < 3; i++) {
      const body = (await (await post(server, {})).json()) as { calls: number; total: number; greeting: string };
      assert.equal(body.calls, 1);
      assert.equal(body.total, 4.5);
      assert.equal(body.greeting, 'hello world');
    }
  });

  it('answers 400 for a wrong type, listing the accepted parameters', async () => {
    const res = await post(server, { n: '3' });
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), {
      error: `parameter 'n' must be int, got str; ${listing}`,
      type: 'BadRequest',
      accepted,
    });
  });

  it('does not accept bool for int or float, nor a float for an int', async () => {
    for (const payload of [{ n: true }, { factor: false }, { n: 1.5 }, { shout: 1 }, { name: 3 }]) {
      const res = await post(server, payload);
      assert.equal(res.status, 400, JSON.stringify(payload));
      const body = (await res.json()) as { error: string; accepted: unknown };
      assert.ok(body.error.endsWith(listing), body.error);
      assert.deepEqual(body.accepted, accepted);
    }
  });

  it('answers 400 for an unknown name (names computed in the parameters cell are not parameters)', async () => {
    const res = await post(server, { limit: 10, n: 2 });
    assert.equal(res.status, 400);
    const body = (await res.json()) as { error: string; type: string };
    assert.equal(body.type, 'BadRequest');
    assert.equal(body.error, `unknown parameter 'limit'; ${listing}`);
  });

  it('answers 400 when the body is not a JSON object', async () => {
    const res = await post(server, [1, 2]);
    assert.equal(res.status, 400);
    const body = (await res.json()) as { error: string };
    assert.match(body.error, /must be a JSON object of parameters, got list/);
  });

  it('takes parameters from a GET query, keeping text as typed for a str parameter', async () => {
    const res = await fetch(`${server.url}/?n=7&name=123`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { n: number; greeting: string; total: number };
    assert.equal(body.n, 7);
    assert.equal(body.total, 10.5);
    assert.equal(body.greeting, 'hello 123');
  });
});

describe('local server: a notebook that fails at start-up', () => {
  let server: LocalServer;
  before(async () => {
    server = await serve('startup-failure');
  });

  it('answers health with 500 and the start-up error, naming the cell', async () => {
    const res = await fetch(server.url);
    assert.equal(res.status, 500);
    assert.equal(res.headers.get('x-kagg-cold'), '1');
    assert.match(res.headers.get('x-kagg-init-ms') ?? '', /^\d+$/);
    assert.deepEqual(await res.json(), { error: 'model file missing', type: 'RuntimeError', status: 'error', cell: 1 });
  });

  it('answers every call with the same 500', async () => {
    const res = await post(server, { anything: 1 });
    assert.equal(res.status, 500);
    assert.equal(res.headers.get('x-kagg-cold'), '0');
    const body = (await res.json()) as { error: string; type: string };
    assert.equal(body.error, 'model file missing');
    assert.equal(body.type, 'RuntimeError');
  });

  it('logged the start-up traceback and exits with 0 on SIGTERM', async () => {
    assert.match(server.stderr(), /notebook failed at start-up in cell 1/);
    assert.match(server.stderr(), /RuntimeError: model file missing/);
    assert.equal(await server.stop(), 0);
  });
});
