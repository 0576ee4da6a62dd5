/**
 * Password-type widgets (ipywidgets PasswordModel, panel's PasswordInput, ipyvuetify password text
 * fields) hold a secret whatever it looks like, once each; two secrets in one place are two findings.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NotebookDocument } from '@kagg/plugin-api';
import { scanNotebook } from '@kagg/plugin-preprocess';
import { notebookOf } from './helpers/notebooks.ts';
import { rand, reseed } from './helpers/samples.ts';

const WIDGET_STATE = 'application/vnd.jupyter.widget-state+json';

function withWidgets(models: Record<string, unknown>): NotebookDocument {
  return notebookOf(['print("hello")'], {
    widgets: { [WIDGET_STATE]: { state: models, version_major: 2, version_minor: 0 } },
  });
}

const model = (name: string, state: Record<string, unknown>, module = '@jupyter-widgets/controls') => ({
  model_name: name,
  model_module: module,
  model_module_version: '2.0.0',
  state,
});

test('every password-type widget value is one finding, whatever it looks like', () => {
  const notebook = withWidgets({
    a1: model('PasswordModel', { _model_name: 'PasswordModel', value: 'hunter2', description: 'API key:' }),
    b2: model('PasswordModel', { value: 'password' }),
    c3: model('PasswordInputModel', { _model_name: 'PasswordInputModel', value: 'Summer2024!' }, '@holoviz/panel'),
    d4: model(
      'TextFieldModel',
      { _model_name: 'TextFieldModel', type: 'password', value: 'letmein' },
      'jupyter-vuetify',
    ),
    e5: model('TextModel', { _model_name: 'TextModel', value: 'hello world', description: 'Name:' }),
    f6: model('PasswordModel', { _model_name: 'PasswordModel', value: '' }),
  });
  const findings = scanNotebook(notebook);
  const base = `metadata.widgets["${WIDGET_STATE}"].state`;
  assert.deepEqual(
    findings.map((f) => [f.rule, f.cell, f.location, f.path]),
    [
      ['widget-password', -1, 'metadata', `${base}.a1.state.value`],
      ['widget-password', -1, 'metadata', `${base}.b2.state.value`],
      ['widget-password', -1, 'metadata', `${base}.c3.state.value`],
      ['widget-password', -1, 'metadata', `${base}.d4.state.value`],
    ],
  );
  for (const [finding, secret] of findings.map(
    (f, k) => [f, ['hunter2', 'password', 'Summer2024!', 'letmein'][k]!] as const,
  )) {
    assert.ok(!finding.preview.includes(secret), finding.preview);
  }
});

test('a token typed into a password widget keeps its precise rule, once', () => {
  reseed(909);
  const token = `ghp_${rand('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 36)}`;
  const findings = scanNotebook(
    withWidgets({ t: model('PasswordModel', { value: token, description: 'GitHub token' }) }),
  );
  assert.deepEqual(
    findings.map((f) => f.rule),
    ['github-pat'],
  );
});

test('two secrets in one place are two findings; one secret two rules match is one', () => {
  reseed(4242);
  const keyId = `AKIA${rand('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16)}`;
  const secretKey = rand('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+', 40);
  const token = `ghp_${rand('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 36)}`;
  const notebook = notebookOf([
    `aws_credentials = "${keyId}:${secretKey}"`,
    `github_token = "${token}"`,
    `headers = {"a": "${token}", "b": "${token}"}`,
  ]);
  const findings = scanNotebook(notebook);
  assert.deepEqual(
    findings.map((f) => [f.cell, f.line, f.rule]),
    [
      [0, 1, 'aws-access-key-id'],
      [0, 1, 'generic-api-key'],
      [1, 1, 'github-pat'],
      [2, 1, 'github-pat'],
      [2, 1, 'github-pat'],
    ],
  );
  for (const f of findings) {
    for (const secret of [keyId, secretKey, token]) assert.ok(!f.preview.includes(secret));
  }

  const twin = withWidgets({
    p: model('PasswordModel', { value: 'same-pass-1' }),
    q: model('PasswordModel', { value: 'same-pass-1' }),
  });
  assert.equal(scanNotebook(twin).length, 2);
});
