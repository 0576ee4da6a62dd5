/**
 * Two hand-written probe notebooks in the shapes leaks take in real Kaggle work: one cell per planted
 * (fake) credential — client constructors, env assignments, `%env`, `!curl` headers, kaggle.json
 * written by `%%writefile` or `echo`, printed configs, error messages with connection strings, PEM
 * keys in outputs, papermill metadata, markdown — and one of secret-free cells that look risky
 * (hashes, SHAs, UUIDs, secret look-ups, placeholders, images, logs, widget and Kaggle metadata).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { NotebookDocument } from '@kagg/plugin-api';
import { scanNotebook } from '@kagg/plugin-preprocess';

const probe = (name: string) =>
  JSON.parse(readFileSync(path.join(import.meta.dirname, 'fixtures', 'probe', name), 'utf8')) as NotebookDocument;

test('every planted credential is found, in its own cell', () => {
  const nb = probe('planted.ipynb');
  const findings = scanNotebook(nb);
  const hit = new Set(findings.map((f) => f.cell));
  const missed = nb.cells.map((c, i) => (hit.has(i) ? undefined : c.id)).filter(Boolean);
  assert.ok(nb.cells.length >= 55, `${nb.cells.length} probe cells`);
  assert.deepEqual(missed, []);
});

test('no finding on the secret-free probe notebook', () => {
  const findings = scanNotebook(probe('clean.ipynb'));
  assert.deepEqual(
    findings.map((f) => `cell ${f.cell} ${f.rule} ${f.preview}`),
    [],
  );
});
