/**
 * Target discovery through the `kagg:targets` hook with real plugins linked into an isolated kagg:
 * a valid third-party target deploys; invalid shapes, a future API version, a duplicate id and a
 * failing hook are each reported by `kagg doctor`, and none of them breaks the local target.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cleanup, FIXTURES, isolatedEnv, kagg, kaggJson, ROOT, tempDir } from './helpers.ts';

const PLUGINS = path.join(ROOT, 'test', 'fixtures', 'plugins');

interface Doctor {
  ok: boolean;
  checks: Array<{ name: string; ok: boolean; detail: string }>;
  targets: string[];
}

describe('target discovery', () => {
  const home = tempDir();
  const env = isolatedEnv(home);
  before(async () => {
    for (const p of ['echo-target', 'bad-targets', 'dup-local', 'failing-hook']) {
      const linked = await kagg(['plugins', 'link', path.join(PLUGINS, p), '--no-install'], env);
      assert.equal(linked.code, 0, linked.stderr);
    }
  });
  after(() => cleanup(home));

  it('deploys through a third-party target, passing --set settings validated by its schema', async () => {
    const result = await kaggJson<{ target: string; bundleHash: string }>(
      ['deploy', path.join(FIXTURES, 'pm-basic.ipynb'), '--target', 'echo', '--set', 'greeting=hello'],
      env,
    );
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.json.target, 'echo');
    const recorded = JSON.parse(readFileSync(path.join(home, 'targets', 'echo', 'pm-basic.json'), 'utf8'));
    assert.equal(recorded.greeting, 'hello');
    assert.equal(recorded.hash, result.json.bundleHash);
    const bad = await kaggJson<{ error: { code: string; message: string } }>(
      ['deploy', path.join(FIXTURES, 'pm-basic.ipynb'), '--target', 'echo', '--set', 'colour=red', '--name', 'other'],
      env,
    );
    assert.equal(bad.code, 2);
    assert.match(bad.json.error.message, /unknown property "colour"/);
  });

  it('reports every broken plugin in kagg doctor and keeps the good targets', async () => {
    const doctor = await kaggJson<Doctor>(['doctor'], env);
    assert.equal(doctor.code, 1, 'doctor fails when a plugin is broken');
    assert.deepEqual(doctor.json.targets, ['echo', 'local']);
    const problems = doctor.json.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`);
    assert.ok(
      problems.some((p) => /kagg-fixture-bad-targets.*"halfdone" is invalid.*deploy must be a function/.test(p)),
      problems.join('\n'),
    );
    assert.ok(
      problems.some((p) => /"future" was built for plugin API v99/.test(p)),
      problems.join('\n'),
    );
    assert.ok(
      problems.some((p) => /kagg-fixture-dup-local.*"local" is already provided by @kagg\/plugin-local/.test(p)),
      problems.join('\n'),
    );
    assert.ok(
      problems.some((p) => /kagg-fixture-failing-hook.*hook failed: credentials file unreadable/.test(p)),
      problems.join('\n'),
    );
  });

  it('explains why a broken target cannot be used', async () => {
    const result = await kagg(['deploy', path.join(FIXTURES, 'pm-basic.ipynb'), '--target', 'future'], env);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /target "future" could not be loaded.*v99/);
    const unknown = await kagg(['deploy', path.join(FIXTURES, 'pm-basic.ipynb'), '--target', 'nowhere'], env);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown target "nowhere"/);
    assert.match(unknown.stderr, /installed targets: echo, local/);
  });

  it('still deploys to the first-party local target', async () => {
    const result = await kaggJson<{ target: string; url: string }>(
      ['deploy', path.join(FIXTURES, 'pm-basic.ipynb'), '--name', 'still-local'],
      env,
    );
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.json.target, 'local');
  });
});
