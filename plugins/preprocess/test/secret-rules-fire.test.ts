import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { NotebookDocument } from '@kagg/plugin-api';
import { DEFAULT_RULES, scanNotebook } from '@kagg/plugin-preprocess';
import { providerSamples } from './helpers/provider-samples.ts';
import { buildSamples, sampleNotebook } from './helpers/samples.ts';

const samples = [...buildSamples(), ...providerSamples()];

test('the rule table covers at least 40 credential types, each with a sample here', () => {
  assert.ok(DEFAULT_RULES.length >= 40, `only ${DEFAULT_RULES.length} rules`);
  const sampled = new Set(samples.map((s) => s.rule));
  const missing = DEFAULT_RULES.map((rule) => rule.id).filter((id) => !sampled.has(id));
  assert.deepEqual(missing, []);
});

describe('each rule fires on a realistic secret in code, output and metadata', () => {
  for (const s of samples) {
    test(s.rule, () => {
      const notebook = sampleNotebook(s) as unknown as NotebookDocument;
      const findings = scanNotebook(notebook, { source: 'sample.ipynb' });
      const locations = new Set(findings.filter((f) => f.rule === s.rule).map((f) => f.location));
      assert.deepEqual(
        [...locations].sort(),
        s.locations ?? ['code', 'metadata', 'output'],
        `findings: ${JSON.stringify(findings.map((f) => [f.rule, f.location, f.preview]))}`,
      );
      const code = findings.find((f) => f.location === 'code' && f.rule === s.rule)!;
      assert.equal(code.cell, 1);
      assert.equal(code.notebook, 'sample.ipynb');
      const output = findings.find((f) => f.location === 'output')!;
      assert.equal(output.cell, 2);
      assert.equal(output.path, 'outputs[0].text');
      if (!s.locations) {
        const metadata = findings.find((f) => f.location === 'metadata')!;
        assert.equal(metadata.cell, -1);
        assert.match(metadata.path ?? '', /^metadata\.papermill\.parameters/);
      }
      for (const finding of findings) {
        assert.ok(!finding.preview.includes(s.secret), `preview ${finding.preview} holds the secret`);
        assert.ok(finding.preview.replace(/\*/g, '').length <= 4);
      }
    });
  }
});

test('line numbers point at the secret inside the cell', () => {
  const s = samples.find((x) => x.rule === 'github-pat')!;
  const findings = scanNotebook(sampleNotebook(s) as unknown as NotebookDocument);
  const code = findings.find((f) => f.location === 'code')!;
  assert.equal(code.line, 2);
  assert.equal(code.column, `${s.name} = "`.length + 1);
  const output = findings.find((f) => f.location === 'output')!;
  assert.equal(output.line, 2);
});

test('secrets in error values, tracebacks (with ANSI colours), HTML and cell metadata are found', () => {
  const key = samples.find((x) => x.rule === 'gcp-api-key')!.value;
  const token = samples.find((x) => x.rule === 'github-pat')!.value;
  const notebook = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: [
      {
        cell_type: 'code',
        id: 'a',
        execution_count: 1,
        metadata: { widget_note: `token ${token}` },
        source: 'requests.get(url)',
        outputs: [
          {
            output_type: 'error',
            ename: 'ConnectionError',
            evalue: `HTTPSConnectionPool(host='maps.googleapis.com'): Max retries exceeded with url: /maps/api/geocode/json?key=${key}`,
            traceback: [`\u001b[0;31mConnectionError\u001b[0m: url=/json?key=\u001b[1m${key}\u001b[0m`],
          },
          { output_type: 'display_data', metadata: {}, data: { 'text/html': [`<pre>${token}</pre>`] } },
        ],
      },
    ],
  } as unknown as NotebookDocument;
  const findings = scanNotebook(notebook);
  const paths = findings.map((f) => `${f.rule}@${f.location}:${f.path}`).sort();
  assert.deepEqual(paths, [
    'gcp-api-key@output:outputs[0].evalue',
    'gcp-api-key@output:outputs[0].traceback',
    'github-pat@metadata:metadata.widget_note',
    'github-pat@output:outputs[1].data["text/html"]',
  ]);
});

test('a password typed into a saved ipywidgets Password widget is found', () => {
  const password = 'q7Lm2Vx9Tz4Rb';
  const notebook = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      widgets: {
        'application/vnd.jupyter.widget-state+json': {
          state: {
            '4f1c2a9e7b3d4c5e8f9a0b1c2d3e4f5a': {
              model_name: 'PasswordModel',
              state: { _model_name: 'PasswordModel', value: password, description: 'Password:' },
            },
          },
          version_major: 2,
          version_minor: 0,
        },
      },
    },
    cells: [],
  } as unknown as NotebookDocument;
  const findings = scanNotebook(notebook);
  assert.ok(findings.length >= 1);
  assert.ok(findings.every((f) => f.location === 'metadata' && f.cell === -1 && !f.preview.includes(password)));
});

test('kaggle.json written from a notebook is found', () => {
  const key = 'c4a1e9b27f0d3865aa1e42b9d07f6c3e';
  const notebook = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: [
      {
        cell_type: 'code',
        id: 'k',
        metadata: {},
        execution_count: null,
        outputs: [],
        source: `%%writefile /root/.kaggle/kaggle.json\n{\n  "username": "jdoe",\n  "key": "${key}"\n}\n`,
      },
      {
        cell_type: 'code',
        id: 'e',
        metadata: {},
        execution_count: null,
        outputs: [],
        source: `!echo '{"username":"jdoe","key":"${key}"}' > ~/.kaggle/kaggle.json\n%env KAGGLE_KEY=${key}`,
      },
    ],
  } as unknown as NotebookDocument;
  const findings = scanNotebook(notebook);
  assert.deepEqual(
    findings.map((f) => [f.rule, f.cell, f.line]),
    [
      ['kaggle-api-key', 0, 4],
      ['kaggle-api-key', 1, 1],
      ['kaggle-api-key', 1, 2],
    ],
  );
});

test('previews show at most 4 characters of a secret and never more than a quarter, then 8 stars', async () => {
  const { redactSecret } = await import('@kagg/plugin-preprocess');
  assert.equal(redactSecret('Hx7!pL9q'), '********', '8 characters: nothing shows');
  assert.equal(redactSecret('Hx7!pL9qZ2w'), '********', '11 characters: nothing shows');
  assert.equal(redactSecret('hunter2-hunter2-ret!'), 'hunt********', '20 characters: 4 show');
  assert.equal(redactSecret('abcdefghijkl'), 'abc********', '12 characters: a quarter, 3');
  const sixty = `sk-${'Q7'.repeat(28)}x`;
  assert.equal(sixty.length, 60);
  assert.equal(redactSecret(sixty), 'sk-Q********', '60 characters: 4 show');
  assert.equal(redactSecret('x'.repeat(500)), 'xxxx********', 'the length never shows');
});
