/**
 * `kagg` after the quick start: bin/ on PATH gives a working `kagg` from any folder, and a Node older
 * than 22 gets one clear line and exit 1 before oclif loads.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { BIN, isolatedEnv, ROOT, tempDir } from './helpers.ts';

describe('the kagg launcher', () => {
  const home = tempDir();
  after(() => rmSync(home, { recursive: true, force: true }));

  it('runs as `kagg` from any folder once bin/ is on PATH', () => {
    const env = isolatedEnv(home, {
      PATH: `${path.join(ROOT, 'bin')}:${path.dirname(process.execPath)}:/usr/bin:/bin`,
    });
    const run = spawnSync('kagg', ['endpoints', 'list', '--json'], { cwd: home, env, encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), { endpoints: [], warnings: [] });
  });

  it('refuses a Node older than 22 with one line naming the version and the fix', () => {
    const pretend20 = 'data:text/javascript,Object.defineProperty(process.versions,"node",{value:"20.1.0"})';
    const run = spawnSync(process.execPath, ['--import', pretend20, BIN, 'doctor'], {
      env: isolatedEnv(home),
      encoding: 'utf8',
    });
    assert.equal(run.status, 1);
    assert.equal(run.stdout, '');
    const lines = run.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, run.stderr);
    assert.match(lines[0]!, /^kagg needs Node 22 or newer; this is Node 20\.1\.0 .*scripts\/quickstart\.sh/);
  });
});
