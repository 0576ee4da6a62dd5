/**
 * What identifies a deployment: the provider-safe resource name of an endpoint, and the fingerprint
 * that decides whether a redeploy is unchanged.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { deploymentFingerprint, pluginDigest } from '@kagg/core/deploy';
import { DEFAULT_NAMING, resourceNameOf } from '@kagg/core/naming';
import { targetShapeProblems } from '@kagg/plugin-api';

describe('resource names', () => {
  it('prefix kagg- once: a name that already has it is kept as it is', () => {
    assert.equal(resourceNameOf('iris'), 'kagg-iris');
    assert.equal(resourceNameOf('kagg-iris'), 'kagg-iris');
    assert.equal(resourceNameOf('kaggle-iris'), 'kagg-kaggle-iris');
    assert.equal(resourceNameOf('iris', { prefix: 'kg-', maxLength: 40 }), 'kg-iris');
  });

  it('names over the limit: cut, then a dash and 8 hex digits of the full name; deterministic', () => {
    const name = `churn-${'x'.repeat(57)}`;
    const short = resourceNameOf(name, { maxLength: 64 });
    assert.equal(short.length, 64);
    assert.match(short, /^kagg-churn-x+-[0-9a-f]{8}$/);
    assert.equal(resourceNameOf(name, { maxLength: 64 }), short);
    assert.equal(resourceNameOf('a'.repeat(58), { maxLength: 64 }), `kagg-${'a'.repeat(58)}`, 'at the limit: kept');
  });

  it('stays distinct for names equal in their first 70 characters, within the limit and the alphabet', () => {
    const stem = 'm'.repeat(70);
    const names = ['1', '2', '-3', 'a'].map((tail) => resourceNameOf(`${stem}${tail}`, DEFAULT_NAMING));
    assert.equal(new Set(names).size, names.length);
    for (const n of names) {
      assert.ok(n.length <= DEFAULT_NAMING.maxLength, n);
      assert.match(n, /^[a-z0-9][a-z0-9-]*[a-z0-9]$/);
      assert.ok(!n.includes('--'), `no double dash from a cut at a dash: ${n}`);
    }
  });
});

describe('deployment fingerprint', () => {
  const base = {
    bundleHash: 'b'.repeat(64),
    target: { id: 'local', version: '1.0.0' },
    options: { memory: 256, public: true },
    env: { GREETING: 'alpha' },
    resourceName: 'kagg-x',
  };

  it('is the same for the same deployment, whatever the order of settings', async () => {
    const a = await deploymentFingerprint(base);
    const b = await deploymentFingerprint({ ...base, options: { public: true, memory: 256 } });
    assert.match(a, /^[0-9a-f]{64}$/);
    assert.equal(a, b);
  });

  it('changes with each part: bundle, settings, env value, target, plugin version, resource name, plugin files', async () => {
    const a = await deploymentFingerprint(base);
    const variants = [
      { ...base, bundleHash: 'c'.repeat(64) },
      { ...base, options: { memory: 2048, public: true } },
      { ...base, options: { memory: 256, public: false } },
      { ...base, env: { GREETING: 'bravo' } },
      { ...base, env: {} },
      { ...base, target: { id: 'aws', version: '1.0.0' } },
      { ...base, target: { id: 'local', version: '1.0.1' } },
      { ...base, resourceName: 'kagg-y' },
      { ...base, plugin: 'd'.repeat(64) },
    ];
    const prints = await Promise.all(variants.map((v) => deploymentFingerprint(v)));
    for (const [i, p] of prints.entries()) assert.notEqual(p, a, `variant ${i} differs`);
  });
});

describe('the optional DeployTarget members are checked by shape', () => {
  const base = {
    id: 'mine',
    title: 'Mine',
    apiVersion: 1,
    optionsSchema: {},
    package() {},
    deploy() {},
    destroy() {},
    describe() {},
    invocation() {},
  };

  it('accepts them well-formed, and refuses a naming kagg could not honour', () => {
    assert.deepEqual(targetShapeProblems({ ...base, version: '1.2.3', naming: { maxLength: 40 }, check() {} }), []);
    assert.deepEqual(targetShapeProblems({ ...base, naming: { maxLength: 8 } }), [
      'naming must be { maxLength: integer >= 16, prefix?: string of at most 8 characters }',
    ]);
    assert.deepEqual(targetShapeProblems({ ...base, check: 'yes', version: 2 }), [
      'check must be a function',
      'version must be a string',
    ]);
  });
});

describe("the plugin's files in the fingerprint", () => {
  it('pluginDigest covers what the plugin publishes (its `files`), not node_modules or what it leaves out', async () => {
    const digestOf = async (edit: (dir: string) => void) => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'kagg-plugin-digest-'));
      try {
        writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'p', files: ['index.js', 'adapter'] }));
        writeFileSync(path.join(dir, 'index.js'), 'export default 1;\n');
        mkdirSync(path.join(dir, 'adapter'));
        writeFileSync(path.join(dir, 'adapter', 'serve.py'), 'print(1)\n');
        edit(dir);
        return await pluginDigest(dir);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    };
    const base = await digestOf(() => {});
    assert.match(base, /^[0-9a-f]{64}$/);
    assert.notEqual(await digestOf((d) => writeFileSync(path.join(d, 'adapter', 'serve.py'), 'print(2)\n')), base);
    assert.notEqual(await digestOf((d) => writeFileSync(path.join(d, 'adapter', 'extra.py'), '')), base);
    assert.equal(await digestOf((d) => writeFileSync(path.join(d, 'README.md'), 'not published')), base);
    assert.equal(
      await digestOf((d) => {
        mkdirSync(path.join(d, 'adapter', 'node_modules'));
        writeFileSync(path.join(d, 'adapter', 'node_modules', 'x.js'), '');
      }),
      base,
    );
  });
});
