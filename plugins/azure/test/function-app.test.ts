/**
 * The packaged function_app.py under a real python3, the way the Functions host runs it: testkit's
 * azure-host.py indexes it and invokes it (with the documented azure.functions stand-in, as the real
 * package is not installed here). The package never carries local.settings.json, lists
 * azure-functions first, and writes the auth level the settings ask for.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { unzipFiles } from '@kagg/core/bundle';
import { adderBundle } from '@kagg/testkit/conformance';
import { tempDir } from '@kagg/testkit/temp';
import { packageForAzure } from '../dist/index.js';

const HOST = path.resolve(import.meta.dirname, '..', '..', '..', 'packages', 'testkit', 'fixtures', 'azure-host.py');

async function unpacked(options: Record<string, unknown>) {
  const artifact = await packageForAzure(await adderBundle('adapter'), options);
  const dir = tempDir('kagg-azure-app-');
  for (const f of unzipFiles(artifact.zip)) {
    mkdirSync(path.dirname(path.join(dir, f.path)), { recursive: true });
    writeFileSync(path.join(dir, f.path), f.data);
  }
  return { artifact, dir };
}

function host(dir: string, mode: string, request?: unknown) {
  const r = spawnSync('python3', [HOST, dir, mode], {
    input: request ? JSON.stringify(request) : '',
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

describe('function_app.py (Python v2 model) under python3', () => {
  it('lays out the Flex package', async () => {
    const { artifact } = await unpacked({});
    const paths = artifact.files.map((f) => f.path);
    for (const p of ['function_app.py', 'host.json', 'requirements.txt', 'kagg_runtime.py', 'notebook.py'])
      assert.ok(paths.includes(p), p);
    assert.ok(!paths.includes('local.settings.json'));
    const req = artifact.files.find((f) => f.path === 'requirements.txt');
    assert.match(Buffer.from(req?.data ?? []).toString(), /^azure-functions\n/);
    const hostJson = JSON.parse(Buffer.from(artifact.files.find((f) => f.path === 'host.json')?.data ?? []).toString());
    assert.equal(hostJson.version, '2.0');
    assert.equal(hostJson.functionTimeout, '00:10:00');
  });

  it('registers one catch-all HTTP function at the auth level asked for', async () => {
    const keyed = host((await unpacked({})).dir, 'index');
    assert.deepEqual(
      keyed.map((f: { name: string; route: string; authLevel: string }) => [f.name, f.route, f.authLevel]),
      [['kagg', '{*path}', 'function']],
    );
    const open = host((await unpacked({ public: true })).dir, 'index');
    assert.equal(open[0].authLevel, 'anonymous');
  });

  it('hands method, path, query and body to the runtime and maps its response', async () => {
    const { dir } = await unpacked({});
    const body = Buffer.from(JSON.stringify({ a: 2, b: 3 })).toString('base64');
    const base = { url: 'https://app/api/', headers: { 'content-type': 'application/json' }, params: {} };
    const sum = host(dir, 'invoke', { ...base, method: 'POST', route: '', body });
    assert.equal(sum.status, 200);
    assert.match(sum.headers['Content-Type'], /^application\/json/);
    assert.deepEqual(JSON.parse(Buffer.from(sum.body, 'base64').toString()), { sum: 5 });
    const health = host(dir, 'invoke', { ...base, method: 'GET', route: '', body: '' });
    assert.equal(health.status, 200);
    const query = host(dir, 'invoke', { ...base, method: 'GET', route: '', params: { a: '4', b: '5' }, body: '' });
    assert.deepEqual(
      JSON.parse(Buffer.from(query.body, 'base64').toString()),
      { sum: 9 },
      'the query reaches the notebook',
    );
  });
});
