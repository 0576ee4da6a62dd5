/**
 * Handler contract: the Lambda adapter (`handler.py` in the package kagg builds) run under python3
 * with Function URL payload 2.0 events — JSON and base64 bodies, query parameters, cookies both
 * ways, binary responses, a 400 for a bad parameter, a 500 from a notebook exception.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { unzipFiles } from '@kagg/core/bundle';
import { createAwsTarget } from '@kagg/plugin-aws';
import { bundleOf, type CellSpec } from '@kagg/testkit/aws-fake';

const HARNESS = `
import json, os, sys
root = sys.argv[1]
sys.path.insert(0, root)
os.chdir(root)
import handler
state = {"entry_at_import": handler.RUNTIME.entry, "loaded_at_import": handler.RUNTIME._loaded}
seen = []
original = handler.RUNTIME.handle
def spy(method, path, headers, body, query=None):
    seen.append({"method": method, "path": path, "headers": headers, "body": list(body), "query": query})
    return original(method, path, headers, body, query)
handler.RUNTIME.handle = spy
out = []
for event in json.load(sys.stdin):
    del seen[:]
    response = handler.handler(event, None)
    out.append({"response": response, "seen": seen[0] if seen else None})
print(json.dumps({"state": state, "results": out}))
`;

import { tempDir } from '@kagg/testkit/temp';

interface LambdaResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  isBase64Encoded: boolean;
  cookies?: string[];
}
interface Seen {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: number[];
  query: Record<string, string[]>;
}
interface Outcome {
  state: { entry_at_import: string | null; loaded_at_import: boolean };
  results: Array<{ response: LambdaResponse; seen: Seen | null }>;
}

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Packages the notebook with the aws target, unzips it, and feeds the events to handler.handler. */
async function runEvents(name: string, cells: CellSpec[], events: unknown[]): Promise<Outcome> {
  const artifact = await createAwsTarget().package(await bundleOf(name, cells), {});
  const dir = tempDir('kagg-aws-handler-');
  dirs.push(dir);
  for (const entry of unzipFiles(artifact.zip)) {
    mkdirSync(path.dirname(path.join(dir, entry.path)), { recursive: true });
    writeFileSync(path.join(dir, entry.path), entry.data);
  }
  writeFileSync(path.join(dir, '..', `${path.basename(dir)}-harness.py`), HARNESS);
  const run = spawnSync('python3', [path.join(dir, '..', `${path.basename(dir)}-harness.py`), dir], {
    input: JSON.stringify(events),
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', LANG: 'C.UTF-8', PYTHONDONTWRITEBYTECODE: '1' },
    timeout: 100_000,
  });
  rmSync(path.join(dir, '..', `${path.basename(dir)}-harness.py`), { force: true });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout) as Outcome;
}

function event(
  method: string,
  o: {
    path?: string;
    query?: string;
    headers?: Record<string, string>;
    cookies?: string[];
    body?: string;
    base64?: boolean;
  } = {},
) {
  const rawPath = o.path ?? '/';
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString: o.query ?? '',
    ...(o.cookies ? { cookies: o.cookies } : {}),
    headers: { host: 'abc123.lambda-url.us-east-1.on.aws', 'user-agent': 'kagg-test', ...(o.headers ?? {}) },
    ...(o.query ? { queryStringParameters: Object.fromEntries(new URLSearchParams(o.query)) } : {}),
    requestContext: {
      accountId: 'anonymous',
      apiId: 'abc123',
      domainName: 'abc123.lambda-url.us-east-1.on.aws',
      domainPrefix: 'abc123',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'kagg-test' },
      requestId: 'req-1',
      routeKey: '$default',
      stage: '$default',
      time: '01/Jan/2026:00:00:00 +0000',
      timeEpoch: 1767225600000,
    },
    ...(o.body !== undefined ? { body: o.body } : {}),
    isBase64Encoded: o.base64 ?? false,
    pathParameters: null,
    stageVariables: null,
  };
}

const PROCESS_REQUEST: CellSpec[] = [
  {
    source: [
      'from kagg_runtime import Response',
      'def process_request(payload):',
      '    if payload.get("fail"):',
      '        raise ValueError("boom from the notebook")',
      '    if payload.get("binary"):',
      '        return bytes(range(256))',
      '    if payload.get("cookie"):',
      '        return Response(200, {"Content-Type": "text/plain", "Set-Cookie": "session=abc; Path=/; HttpOnly"}, b"cookie set")',
      '    return {"total": sum(payload.get("values", []))}',
    ].join('\n'),
  },
];

const PARAMETERS: CellSpec[] = [
  { source: 'n = 3\nscale = 2.0\ntags = []\n', tags: ['parameters'] },
  { source: 'result = {"value": n * scale, "tags": tags}\n' },
];

describe('handler.py (Lambda adapter) under python3', () => {
  test('process_request notebook: JSON body, base64 body, binary answer, cookies both ways, a 500, health', async () => {
    const raw = Buffer.from(JSON.stringify({ values: [4, 5] }));
    const out = await runEvents('handler-pr', PROCESS_REQUEST, [
      event('POST', { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ values: [1, 2, 3] }) }),
      event('POST', {
        headers: { 'content-type': 'application/octet-stream' },
        body: raw.toString('base64'),
        base64: true,
      }),
      event('POST', { headers: { 'content-type': 'application/json' }, body: '{"binary": true}' }),
      event('POST', {
        headers: { 'content-type': 'application/json' },
        cookies: ['a=1', 'b=2'],
        body: '{"cookie": true}',
      }),
      event('POST', { headers: { 'content-type': 'application/json' }, body: '{"fail": true}' }),
      event('GET'),
      event('POST', { headers: { 'content-type': 'application/octet-stream' }, body: '%%%not base64', base64: true }),
    ]);
    // Cold start happened at import time, as in Lambda's init phase.
    assert.equal(out.state.loaded_at_import, true);
    assert.equal(out.state.entry_at_import, 'process_request');

    const [json, b64, binary, cookie, failure, health, badB64] = out.results;
    assert.equal(json?.response.statusCode, 200);
    assert.equal(json?.response.isBase64Encoded, false);
    assert.deepEqual(JSON.parse(json?.response.body ?? ''), { total: 6 });
    assert.equal(json?.seen?.method, 'POST');
    assert.equal(json?.seen?.path, '/');

    assert.deepEqual(Buffer.from(b64?.seen?.body ?? []), raw, 'the runtime got the decoded bytes');
    assert.deepEqual(JSON.parse(b64?.response.body ?? ''), { total: 9 });

    assert.equal(binary?.response.isBase64Encoded, true);
    assert.deepEqual(
      [...Buffer.from(binary?.response.body ?? '', 'base64')],
      Array.from({ length: 256 }, (_, i) => i),
    );
    assert.equal(binary?.response.headers['Content-Type'], 'application/octet-stream');

    assert.equal(cookie?.seen?.headers.cookie, 'a=1; b=2');
    assert.deepEqual(cookie?.response.cookies, ['session=abc; Path=/; HttpOnly']);
    assert.ok(!Object.keys(cookie?.response.headers ?? {}).some((h) => h.toLowerCase() === 'set-cookie'));
    assert.equal(cookie?.response.body, 'cookie set');
    assert.equal(cookie?.response.isBase64Encoded, false);

    assert.equal(failure?.response.statusCode, 500);
    const err = JSON.parse(failure?.response.body ?? '');
    assert.equal(err.type, 'ValueError');
    assert.equal(err.error, 'boom from the notebook');
    assert.equal(err.traceback, undefined, 'no traceback unless debug');

    assert.equal(health?.response.statusCode, 200);
    assert.equal(JSON.parse(health?.response.body ?? '').status, 'ok');
    assert.equal(json?.response.headers['x-kagg-cold'], '1', 'the first response of the instance is the cold one');
    assert.equal(health?.response.headers['x-kagg-cold'], '0');
    assert.match(json?.response.headers['x-kagg-instance'] ?? '', /^[0-9a-f]{16}$/);

    assert.equal(badB64?.response.statusCode, 400);
    assert.equal(badB64?.seen, null, 'an undecodable body never reaches the notebook');
  });

  test('parameters notebook: query parameters, repeated keys, a 400 for a bad parameter', async () => {
    const out = await runEvents('handler-params', PARAMETERS, [
      event('GET', { query: 'n=5&scale=1.5&tags=a&tags=b' }),
      event('POST', { headers: { 'content-type': 'application/json' }, body: '{"n": "abc"}' }),
      event('POST', { headers: { 'content-type': 'application/json' }, body: '{"nope": 1}' }),
      event('POST', { headers: { 'content-type': 'application/json' }, body: '{"n": 4}' }),
    ]);
    const [get, wrongType, unknown, post] = out.results;
    assert.deepEqual(get?.seen?.query, { n: ['5'], scale: ['1.5'], tags: ['a', 'b'] });
    assert.equal(get?.response.statusCode, 200);
    assert.deepEqual(JSON.parse(get?.response.body ?? ''), { value: 5 * 1.5, tags: ['a', 'b'] });

    for (const bad of [wrongType, unknown]) {
      assert.equal(bad?.response.statusCode, 400);
      const body = JSON.parse(bad?.response.body ?? '');
      assert.equal(body.type, 'BadRequest');
      assert.deepEqual(
        body.accepted.map((p: { name: string }) => p.name),
        ['n', 'scale', 'tags'],
      );
    }
    assert.match(JSON.parse(wrongType?.response.body ?? '').error, /parameter 'n' must be int/);
    assert.match(JSON.parse(unknown?.response.body ?? '').error, /unknown parameter 'nope'/);
    assert.deepEqual(JSON.parse(post?.response.body ?? ''), { value: 4 * 2.0, tags: [] });
  });
});
