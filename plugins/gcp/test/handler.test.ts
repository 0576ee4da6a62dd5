/**
 * Handler contract: the Cloud Functions adapter (`main.py` in the source kagg builds) under python3
 * with Flask, called the way functions-framework calls it: entry point `predict_handler` with a
 * flask.Request, its return value turned into a response by Flask's make_response. JSON body, query
 * parameters, a 400 for a bad parameter, a 500 from a notebook exception, cookies.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { unzipFiles } from '@kagg/core/bundle';
import { ENTRY_POINT, gcpTarget, MAIN_FILE } from '@kagg/plugin-gcp';
import { bundleOf, type CellSpec } from '@kagg/testkit/aws-fake';
import { tempDir } from '@kagg/testkit/temp';

/** The python3 with Flask (scripts/prerequisites.mjs finds it for `npm test`; alone, look here). */
function flaskPython(): string {
  const found = [process.env.KAGG_FLASK_PYTHON, 'python3', '/usr/bin/python3'].find(
    (p) => p && spawnSync(p, ['-c', 'import flask'], { stdio: 'ignore' }).status === 0,
  );
  if (!found) {
    throw new Error(
      'no python3 with Flask: install it with `sudo apt-get install python3-flask` or `python3 -m pip install flask` (npm test does this through scripts/prerequisites.mjs)',
    );
  }
  return found;
}

const HARNESS = `
import json, os, sys
root = sys.argv[1]
sys.path.insert(0, root)
os.chdir(root)
import flask
import main
app = flask.Flask("harness")
out = []
for req in json.load(sys.stdin):
    with app.test_request_context(req["path"], method=req["method"], query_string=req.get("query", ""),
                                  headers=req.get("headers", {}), data=req.get("body", "")):
        rv = getattr(main, sys.argv[2])(flask.request)
        resp = flask.make_response(rv)
        out.append({"status": resp.status_code, "headers": [[k, v] for k, v in resp.headers.items()],
                    "body": resp.get_data(as_text=True)})
print(json.dumps(out))
`;

interface Answer {
  status: number;
  headers: Array<[string, string]>;
  body: string;
}

async function run(name: string, cells: CellSpec[], requests: unknown[]): Promise<Answer[]> {
  const artifact = await gcpTarget.package(await bundleOf(name, cells), {});
  const dir = tempDir('kagg-gcp-handler-');
  for (const f of unzipFiles(artifact.zip)) {
    mkdirSync(path.dirname(path.join(dir, f.path)), { recursive: true });
    writeFileSync(path.join(dir, f.path), f.data);
  }
  writeFileSync(path.join(dir, 'harness.py'), HARNESS);
  const r = spawnSync(flaskPython(), [path.join(dir, 'harness.py'), dir, ENTRY_POINT], {
    input: JSON.stringify(requests),
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Answer[];
}

const json = { 'content-type': 'application/json' };

describe('main.py (Cloud Functions adapter) under python3 + Flask', () => {
  test('the source: main.py with predict_handler, requirements.txt with functions-framework first', async () => {
    const bundle = await bundleOf('gcp-layout', [{ source: 'def process_request(p):\n    return p\n' }], {
      requirements: ['requests==2.32.3'],
    });
    const files = new Map(unzipFiles((await gcpTarget.package(bundle, {})).zip).map((f) => [f.path, f.data]));
    assert.match(Buffer.from(files.get(MAIN_FILE) ?? []).toString(), /^def predict_handler\(request/m);
    assert.ok(files.has('kagg_runtime.py'));
    const requirements = Buffer.from(files.get('requirements.txt') ?? [])
      .toString()
      .split('\n');
    assert.match(requirements[0] ?? '', /^functions-framework/);
    assert.ok(requirements.includes('requests==2.32.3'), requirements.join('|'));
  });

  test('process_request: JSON body, a cookie, a 500 from the notebook, health', async () => {
    const [sum, cookie, failure, health] = await run(
      'gcp-process',
      [
        {
          source: [
            'from kagg_runtime import Response',
            'def process_request(payload):',
            '    if payload.get("fail"):',
            '        raise ValueError("boom from the notebook")',
            '    if payload.get("cookie"):',
            '        return Response(200, {"Content-Type": "text/plain", "Set-Cookie": "s=abc; Path=/"}, b"set")',
            '    return {"total": sum(payload.get("values", []))}',
          ].join('\n'),
        },
      ],
      [
        { method: 'POST', path: '/', headers: json, body: '{"values": [4, 5]}' },
        { method: 'POST', path: '/', headers: json, body: '{"cookie": true}' },
        { method: 'POST', path: '/', headers: json, body: '{"fail": true}' },
        { method: 'GET', path: '/' },
      ],
    );
    assert.equal(sum?.status, 200);
    assert.deepEqual(JSON.parse(sum?.body ?? ''), { total: 9 });
    assert.ok(sum?.headers.some(([k, v]) => k.toLowerCase() === 'content-type' && /json/.test(v)));
    assert.equal(cookie?.body, 'set');
    assert.ok(cookie?.headers.some(([k, v]) => k === 'Set-Cookie' && v === 's=abc; Path=/'));
    assert.equal(failure?.status, 500);
    assert.match(JSON.parse(failure?.body ?? '').error, /boom from the notebook/);
    assert.equal(health?.status, 200);
  });

  test('parameters notebook: query parameters, repeated keys, a 400 for a bad parameter', async () => {
    const [get, wrongType, post] = await run(
      'gcp-params',
      [
        { source: 'n = 3\nscale = 2.0\ntags = []\n', tags: ['parameters'] },
        { source: 'result = {"value": n * scale, "tags": tags}\n' },
      ],
      [
        { method: 'GET', path: '/', query: 'n=5&scale=1.5&tags=a&tags=b' },
        { method: 'POST', path: '/', headers: json, body: '{"n": "abc"}' },
        { method: 'POST', path: '/', headers: json, body: '{"n": 4}' },
      ],
    );
    assert.equal(get?.status, 200);
    assert.deepEqual(JSON.parse(get?.body ?? ''), { value: 7.5, tags: ['a', 'b'] });
    assert.equal(wrongType?.status, 400);
    assert.equal(JSON.parse(wrongType?.body ?? '').type, 'BadRequest');
    assert.match(JSON.parse(wrongType?.body ?? '').error, /parameter 'n' must be int/);
    assert.deepEqual(JSON.parse(post?.body ?? ''), { value: 8, tags: [] });
  });
});
