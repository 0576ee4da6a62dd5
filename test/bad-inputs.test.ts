/**
 * Bad inputs get a clear error naming the input and a non-zero exit, and leave the registry exactly
 * as it was: invalid JSON, nbformat 3, no entry point, a missing file, a URL serving HTML, unknown
 * IPython syntax.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { notebookJson } from '@kagg/testkit/notebooks';
import { cleanup, FIXTURES, isolatedEnv, kagg, kaggJson, tempDir } from './helpers.ts';

describe('bad inputs to kagg deploy', () => {
  const home = tempDir();
  const env = isolatedEnv(home);
  const registry = path.join(home, 'endpoints.json');
  let before_: Buffer;
  let server: Server;
  let base: string;

  before(async () => {
    const ok = await kagg(['deploy', path.join(FIXTURES, 'pm-basic.ipynb'), '--name', 'keeper'], env);
    assert.equal(ok.code, 0, ok.stderr);
    before_ = readFileSync(registry);
    server = createServer((req, res) => {
      if (req.url === '/page.ipynb') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end('<!DOCTYPE html><html><body>GitHub page</body></html>');
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address() as { port: number };
    base = `http://127.0.0.1:${address.port}`;
  });
  after(async () => {
    server.close();
    await cleanup(home);
  });

  const cases: Array<[string, () => string, RegExp, number]> = [
    ['invalid JSON', () => path.join(FIXTURES, 'invalid.ipynb'), /invalid\.ipynb.*not valid JSON.*line \d+/is, 1],
    [
      'an nbformat 3 notebook',
      () => path.join(FIXTURES, 'nbformat3.ipynb'),
      /nbformat3\.ipynb.*nbformat 3.*nbconvert/is,
      1,
    ],
    [
      'a notebook with neither entry point',
      () => path.join(FIXTURES, 'no-entry.ipynb'),
      /process_request.*parameters/is,
      1,
    ],
    ['unknown IPython syntax', () => path.join(FIXTURES, 'unknown-magic.ipynb'), /cell 2.*line 3.*%foo/is, 1],
    [
      'a missing file',
      () => path.join(FIXTURES, 'does-not-exist.ipynb'),
      /no such notebook: .*does-not-exist\.ipynb/,
      2,
    ],
    ['a URL serving HTML', () => `${base}/page.ipynb`, /page\.ipynb serves an HTML page, not a notebook/, 1],
  ];

  for (const [what, input, message, exitCode] of cases) {
    it(`refuses ${what} with a clear error, exit ${exitCode}, registry untouched`, async () => {
      const result = await kagg(['deploy', input()], env);
      assert.equal(result.code, exitCode, result.stderr);
      assert.match(result.stderr, message);
      assert.equal(result.stdout, '', 'nothing on stdout');
      assert.deepEqual(readFileSync(registry), before_, 'the registry is byte-for-byte unchanged');
      const json = await kaggJson<{ error: { code: string; message: string } }>(['deploy', input()], env);
      assert.equal(json.code, exitCode);
      assert.match(json.json.error.message, message);
      assert.match(json.json.error.code, /^[A-Z_]+$/);
    });
  }

  it('reports a notebook that fails at start-up, naming the error and cell, and leaves no server behind', async () => {
    const dir = tempDir('kagg-broken-');
    const nb = path.join(dir, 'broken.ipynb');
    writeFileSync(
      nb,
      notebookJson([
        { source: 'import json' },
        { source: 'raise FileNotFoundError("model.pkl is missing")' },
        { source: 'def process_request(payload):\n    return {}' },
      ]),
    );
    const result = await kagg(['deploy', nb], env);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /failed at start-up: FileNotFoundError: model\.pkl is missing \(cell 1\)/);
    assert.deepEqual(readFileSync(registry), before_, 'the registry is byte-for-byte unchanged');
    const servers = spawnSync('pgrep', ['-f', `kagg_local.py.*${path.join(home, 'targets', 'local', 'broken')}`]);
    assert.notEqual(servers.status, 0, 'no server of the failed deploy is left running');
  });

  it('exits 2 on a usage error (unknown flag), in text and JSON', async () => {
    const text = await kagg(['deploy', 'x.ipynb', '--no-such-flag'], env);
    assert.equal(text.code, 2);
    assert.match(text.stderr, /no-such-flag/);
    const json = await kaggJson<{ error: { code: string } }>(['endpoints', 'list', '--bogus'], env);
    assert.equal(json.code, 2);
    assert.equal(json.json.error.code, 'USAGE');
    const badOption = await kagg(['invoke', 'keeper', '-X', 'PATCH'], env);
    assert.equal(badOption.code, 2, 'a flag value outside its options is a usage error too');
    assert.match(badOption.stderr, /Expected --method=PATCH to be one of/);
  });

  it('refuses conflicting target flags as a usage error', async () => {
    const result = await kagg(['deploy', path.join(FIXTURES, 'pm-basic.ipynb'), '--local', '--aws'], env);
    assert.equal(result.code, 2);
  });

  it('explains a missing first-party target plugin and how to install it', async () => {
    const result = await kaggJson<{ error: { code: string; message: string; action: string } }>(
      ['deploy', path.join(FIXTURES, 'pm-basic.ipynb'), '--gcp'],
      env,
    );
    assert.equal(result.code, 1);
    assert.equal(result.json.error.code, 'TARGET_NOT_INSTALLED');
    assert.match(result.json.error.message, /@kagg\/plugin-gcp/);
    assert.match(result.json.error.action, /kagg plugins install @kagg\/plugin-gcp/);
  });

  it('refuses a setting the target does not accept, naming it', async () => {
    const result = await kagg(['deploy', path.join(FIXTURES, 'pm-basic.ipynb'), '--region', 'eu-west-1'], env);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /local target.*region/);
  });

  it('refuses an invalid endpoint name', async () => {
    const result = await kagg(['deploy', path.join(FIXTURES, 'pm-basic.ipynb'), '--name', 'Bad_Name'], env);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /invalid endpoint name "Bad_Name"/);
  });
});
