import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { tempDir } from '@kagg/testkit/temp';
import { runPreprocessCli } from './helpers/cli.ts';
import { notebookOf } from './helpers/notebooks.ts';
import { buildSamples, sampleNotebook } from './helpers/samples.ts';

const samples = buildSamples();

async function workdir(): Promise<string> {
  return tempDir('kagg-pre-');
}

/** One notebook holding every sample's secret in code, output and metadata. */
async function leakyNotebooks(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const [k, s] of samples.entries()) {
    const file = path.join(dir, `leak-${k}.ipynb`);
    await writeFile(file, JSON.stringify(sampleNotebook(s)));
    files.push(file);
  }
  return files;
}

test('no secret appears whole in text, json, --json or sarif output, and findings exit 1', async () => {
  const dir = await workdir();
  const files = await leakyNotebooks(dir);
  for (const args of [[], ['--format', 'json'], ['--json'], ['--format', 'sarif']]) {
    const run = runPreprocessCli([...files, ...args]);
    assert.equal(run.status, 1, `${args.join(' ')}: ${run.stderr}`);
    const all = run.stdout + run.stderr;
    for (const s of samples) assert.ok(!all.includes(s.secret), `${s.rule} leaked with ${args.join(' ') || 'text'}`);
    assert.ok(run.stdout.length > 0);
  }
});

test('json and sarif reports carry cell, location and a redacted preview', async () => {
  const dir = await workdir();
  const s = samples.find((x) => x.rule === 'aws-access-key-id')!;
  const file = path.join(dir, 'aws.ipynb');
  await writeFile(file, JSON.stringify(sampleNotebook(s)));
  const json = JSON.parse(runPreprocessCli([file, '--format', 'json']).stdout);
  const finding = json.findings.find((f: { location: string }) => f.location === 'code');
  assert.equal(finding.notebook, file);
  assert.equal(finding.cell, 1);
  assert.equal(finding.line, 2);
  assert.equal(finding.rule, 'aws-access-key-id');
  assert.match(finding.preview, /^AKIA\*{8}$/);
  const sarif = JSON.parse(runPreprocessCli([file, '--format', 'sarif']).stdout);
  assert.equal(sarif.version, '2.1.0');
  const results = sarif.runs[0].results;
  assert.deepEqual(
    results
      .map((r: { properties: { cell: number; location: string } }) => [r.properties.cell, r.properties.location])
      .sort(),
    [
      [-1, 'metadata'],
      [1, 'code'],
      [2, 'output'],
    ],
  );
  assert.equal(results[0].locations[0].physicalLocation.artifactLocation.uri, file);
});

test('a clean notebook exits 0 and reports its requirements; usage errors exit 2', async () => {
  const dir = await workdir();
  const file = path.join(dir, 'clean.ipynb');
  await writeFile(file, JSON.stringify(notebookOf(['!pip install lightgbm==4.3.0\nimport lightgbm, pandas as pd'])));
  const ok = runPreprocessCli([file]);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /requirements: lightgbm==4\.3\.0, pandas/);
  assert.match(ok.stdout, /no secrets found/);
  assert.equal(runPreprocessCli([path.join(dir, 'missing.ipynb')]).status, 2);
  assert.equal(runPreprocessCli([file, '--clean']).status, 2);
  assert.equal(runPreprocessCli([file, '--in-place']).status, 2);
  assert.equal(runPreprocessCli([file, '--format', 'xml']).status, 2);
  assert.equal(runPreprocessCli([file, '--rules', path.join(dir, 'nope.toml')]).status, 2);
});

test('inline allow comments and a baseline silence accepted findings', async () => {
  const dir = await workdir();
  const s = samples.find((x) => x.rule === 'github-pat')!;
  const allowed = path.join(dir, 'allowed.ipynb');
  await writeFile(allowed, JSON.stringify(notebookOf([`TOKEN = "${s.value}"  # kagg:allow`])));
  assert.equal(runPreprocessCli([allowed]).status, 0);

  const file = path.join(dir, 'leak.ipynb');
  await writeFile(file, JSON.stringify(sampleNotebook(s)));
  for (const format of ['json', 'sarif']) {
    const baseline = path.join(dir, `baseline.${format}`);
    await writeFile(baseline, runPreprocessCli([file, '--format', format]).stdout);
    const again = runPreprocessCli([file, '--baseline', baseline]);
    assert.equal(again.status, 0, again.stdout);
  }
  // A new secret is still reported.
  const other = samples.find((x) => x.rule === 'npm-access-token')!;
  const doc = sampleNotebook(s) as { cells: Array<Record<string, unknown>> };
  doc.cells.push({
    cell_type: 'code',
    id: 'new',
    metadata: {},
    outputs: [],
    execution_count: null,
    source: `NPM = "${other.value}"`,
  });
  await writeFile(file, JSON.stringify(doc));
  const withNew = JSON.parse(
    runPreprocessCli([file, '--baseline', path.join(dir, 'baseline.json'), '--format', 'json']).stdout,
  );
  assert.deepEqual(
    withNew.findings.map((f: { rule: string }) => f.rule),
    ['npm-access-token'],
  );
});

test('--clean --strip-outputs --in-place rewrites once; --requirements-out writes optional ones as comments', async () => {
  const dir = await workdir();
  const file = path.join(dir, 'nb.ipynb');
  const doc = notebookOf(['import numpy\ntry:\n    import ujson\nexcept ImportError:\n    ujson = None'], {
    widgets: { state: {} },
    papermill: { parameters: {} },
  });
  doc.cells[0]!['outputs'] = [{ output_type: 'stream', name: 'stdout', text: 'hi\n' }];
  await writeFile(file, JSON.stringify(doc));
  const first = runPreprocessCli([file, '--clean', '--strip-outputs', '--in-place']);
  assert.equal(first.status, 0, first.stderr);
  const written = await readFile(file, 'utf8');
  assert.ok(!written.includes('widgets') && !written.includes('papermill') && !written.includes('"hi'));
  runPreprocessCli([file, '--clean', '--strip-outputs', '--in-place']);
  assert.equal(await readFile(file, 'utf8'), written);

  const req = path.join(dir, 'requirements.txt');
  assert.equal(runPreprocessCli([file, '--requirements-out', req]).status, 0);
  const text = await readFile(req, 'utf8');
  assert.deepEqual(
    text.split('\n').filter((line) => line !== '' && !line.startsWith('# Derived')),
    ['numpy', '# Optional (imported under a guard such as try/except ImportError):', '# ujson'],
  );
});

test('--rules loads a gitleaks TOML config and lists the rules it cannot translate', async () => {
  const dir = await workdir();
  const rules = path.join(dir, 'gitleaks.toml');
  await writeFile(
    rules,
    [
      'title = "team rules"',
      '[[rules]]',
      'id = "acme-internal-token"',
      'description = "ACME internal token"',
      "regex = '''(?i)\\b(acme_[a-z0-9]{32})(?:['|\\\"|\\n|\\r|\\s|\\x60|;]|$)'''",
      'keywords = ["acme_"]',
      '[[rules]]',
      'id = "case-mixed"',
      "regex = '''(?i)secret(?-i:Z[A-Z]{10})'''",
      '[[rules]]',
      'id = "ungreedy"',
      "regex = '''(?U)tok_.+x'''",
      '[[rules]]',
      'id = "pkcs12-file"',
      "path = '''(?i)\\.p(?:12|fx)$'''",
    ].join('\n'),
  );
  const file = path.join(dir, 'nb.ipynb');
  await writeFile(
    file,
    JSON.stringify(
      notebookOf(['tok = "acme_9f2k4m7q1x8z3b6n0p5r2t7v4w9y1c3h"\nx = "SECRETZABCDEFGHIJ"\ny = "secretzabcdefghij"']),
    ),
  );
  const run = runPreprocessCli([file, '--rules', rules, '--format', 'json']);
  assert.equal(run.status, 1, run.stderr);
  const report = JSON.parse(run.stdout);
  assert.deepEqual(
    report.findings.map((f: { rule: string; line: number }) => [f.rule, f.line]),
    [
      ['acme-internal-token', 1],
      ['case-mixed', 2],
    ],
  );
  assert.deepEqual(
    report.unsupportedRules.map((r: { id: string }) => r.id),
    ['ungreedy', 'pkcs12-file'],
  );
  assert.match(run.stderr, /ungreedy/);
});
