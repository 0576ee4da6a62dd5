import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { runKaggHook } from '@kagg/core/targets';
import { hooks } from '@kagg/plugin-api';
import { tempDir } from '@kagg/testkit/temp';
import { Config } from '@oclif/core';
import { PLUGIN_ROOT } from './helpers/cli.ts';
import { notebookOf } from './helpers/notebooks.ts';
import { buildSamples } from './helpers/samples.ts';

test('the kagg:transform hook is registered and returns redacted findings and requirements', async () => {
  const config = await Config.load({ root: PLUGIN_ROOT });
  const dir = tempDir('kagg-hook-');
  await writeFile(path.join(dir, 'features.py'), 'def build(x):\n    return x\n');
  const token = buildSamples().find((s) => s.rule === 'slack-bot-token')!.value;
  const notebook = notebookOf([
    '!pip install lightgbm==4.3.0\nimport lightgbm as lgb\nimport features',
    `SLACK = "${token}"`,
    {
      cell_type: 'code',
      metadata: { tags: ['skip-deploy'] },
      outputs: [],
      execution_count: null,
      source: 'import seaborn',
    },
    'try:\n    import ujson\nexcept ImportError:\n    pass',
  ]);
  const result = await runKaggHook(config, hooks.transform, { notebook, source: 'nb.ipynb', directory: dir });
  assert.deepEqual(result.failures, []);
  const out = result.successes[0]!.result!;
  assert.equal(out.id, 'preprocess');
  assert.equal(out.notebook, undefined);
  assert.deepEqual(out.requirements, ['lightgbm==4.3.0']);
  assert.deepEqual(
    out.findings!.map((f) => [f.rule, f.cell, f.location, f.line]),
    [['slack-bot-token', 1, 'code', 1]],
  );
  assert.ok(!JSON.stringify(out).includes(token));
  assert.ok(out.warnings!.some((w) => w.includes('ujson')));
});

test('the hook does not load the Python parser for a notebook without imports', () => {
  const script = `
    import { registerHooks } from 'node:module';
    let parserLoaded = false;
    registerHooks({ resolve(specifier, context, next) {
      const resolved = next(specifier, context);
      if (resolved.url.includes('@lezer/python')) parserLoaded = true;
      return resolved;
    } });
    const { transformNotebook } = await import(${JSON.stringify(`${PLUGIN_ROOT}/dist/hooks/transform.js`)});
    const nb = (source) => ({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [{ cell_type: 'code', id: 'a', metadata: {}, outputs: [], execution_count: null, source }] });
    const plain = await transformNotebook({ notebook: nb('x = 1\\nprint(x)\\n!pip install requests'), source: 'a.ipynb' });
    const before = parserLoaded;
    await transformNotebook({ notebook: nb('import numpy'), source: 'b.ipynb' });
    process.stdout.write(JSON.stringify({ before, after: parserLoaded, requirements: plain.requirements }));
  `;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: PLUGIN_ROOT,
    encoding: 'utf8',
    timeout: 100_000,
  });
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout), { before: false, after: true, requirements: ['requests'] });
});
