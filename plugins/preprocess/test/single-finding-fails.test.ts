/**
 * `kagg preprocess` is a CI gate: one secret is enough to fail it (exit 1), and a notebook without one
 * passes (exit 0).
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { tempDir } from '@kagg/testkit/temp';
import { runPreprocessCli } from './helpers/cli.ts';
import { notebookOf } from './helpers/notebooks.ts';
import { buildSamples } from './helpers/samples.ts';

test('a single secret in a single cell fails the gate with exit 1', async () => {
  const aws = buildSamples().find((s) => s.rule === 'aws-secret-access-key');
  assert.ok(aws);
  const dir = tempDir('kagg-pre-one-');
  const leaky = path.join(dir, 'one-secret.ipynb');
  await writeFile(leaky, JSON.stringify(notebookOf(['import boto3', `${aws.name} = "${aws.value}"`])));
  const run = runPreprocessCli([leaky, '--json']);
  assert.equal(run.status, 1, run.stderr);
  const report = JSON.parse(run.stdout) as { findings: Array<{ rule: string }> };
  assert.deepEqual(
    report.findings.map((f) => f.rule),
    ['aws-secret-access-key'],
    'exactly one finding',
  );

  const clean = path.join(dir, 'no-secret.ipynb');
  await writeFile(clean, JSON.stringify(notebookOf(['import boto3', 'region = "eu-west-1"'])));
  const ok = runPreprocessCli([clean, '--json']);
  assert.equal(ok.status, 0, ok.stderr);
});
