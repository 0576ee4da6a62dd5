/**
 * Deploy and the preprocess plugin: a notebook holding a credential is refused (findings listed,
 * redacted) unless --allow-secrets; requirements come from the import analysis merged with a
 * requirements.txt next to the notebook; a kagg without the plugin still deploys and says that no
 * secret scan ran.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { notebookJson } from '@kagg/testkit/notebooks';
import { CHILD_TIMEOUT_MS, cleanup, FIXTURES, isolatedEnv, kagg, kaggJson, kaggWithout, tempDir } from './helpers.ts';

const FAKE_KEY = 'AKIAQ3EGRTXZ7HJ5KWPM';

function writeNotebook(file: string, cells: string[]): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, notebookJson(cells.map((source) => ({ source }))));
}

describe('deploy with the preprocess plugin', () => {
  const home = tempDir();
  const env = isolatedEnv(home);
  const work = tempDir('kagg-pre-');
  after(() => cleanup(home));

  it('refuses a notebook holding a credential, listing the finding without the secret', async () => {
    const nb = path.join(work, 'leaky', 'leaky.ipynb');
    writeNotebook(nb, [`AWS_ACCESS_KEY_ID = "${FAKE_KEY}"`, 'def process_request(payload):\n    return {"ok": True}']);
    const refused = await kaggJson<{
      error: {
        code: string;
        message: string;
        details: { findings: Array<{ rule: string; cell: number; preview: string }> };
      };
    }>(['deploy', nb], env);
    assert.equal(refused.code, 1);
    assert.equal(refused.json.error.code, 'SECRETS_FOUND');
    const finding = refused.json.error.details.findings[0]!;
    assert.equal(finding.cell, 0);
    assert.match(finding.rule, /aws/i);
    const text = await kagg(['deploy', nb], env);
    assert.match(text.stderr, /cell 0 code line 1/);
    for (const out of [refused.stdout, refused.stderr, text.stdout, text.stderr])
      assert.ok(!out.includes(FAKE_KEY), 'the secret never appears whole');
    assert.equal(spawnSync('test', ['-e', path.join(home, 'endpoints.json')]).status, 1, 'nothing was registered');
    const allowed = await kaggJson<{ scanned: boolean; changed: boolean }>(['deploy', nb, '--allow-secrets'], env);
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.equal(allowed.json.scanned, true);
  });

  it('refuses on exactly the findings `kagg preprocess` reports: one scan, one code path', async () => {
    const nb = path.join(work, 'same', 'same.ipynb');
    writeNotebook(nb, [
      'import os',
      `KEY = "${FAKE_KEY}"\nTOKEN = "ghp_u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8d"`,
      `ALLOWED = "AKIAZ7HJ5KWPMQ3EGRTX"  # kagg:allow`,
      'def process_request(payload):\n    return {"ok": True}',
    ]);
    type Seen = Array<{ rule: string; cell: number; location: string; line: number; preview: string }>;
    const key = (findings: Seen) =>
      findings.map(({ rule, cell, location, line, preview }) => ({ rule, cell, location, line, preview }));
    const scanned = await kaggJson<{ findings: Seen }>(['preprocess', nb], env);
    assert.equal(scanned.code, 1, scanned.stderr);
    const refused = await kaggJson<{ error: { code: string; details: { findings: Seen } } }>(['deploy', nb], env);
    assert.equal(refused.json.error.code, 'SECRETS_FOUND');
    assert.equal(scanned.json.findings.length, 2, 'the AWS key and the GitHub token; the allowed line is not one');
    assert.deepEqual(key(refused.json.error.details.findings), key(scanned.json.findings));
  });

  it('derives requirements from imports and merges a requirements.txt next to the notebook', async () => {
    const nb = path.join(work, 'model', 'model.ipynb');
    writeNotebook(nb, [
      'import json\nimport os',
      'def process_request(payload):\n    import sklearn\n    from PIL import Image\n    return {}',
    ]);
    writeFileSync(
      path.join(work, 'model', 'requirements.txt'),
      '# pinned by hand\nnumpy==1.26.4\nscikit-learn==1.5.0\n',
    );
    const pkg = await kaggJson<{ requirements: string[] }>(
      ['package', nb, '--output', path.join(work, 'model.zip')],
      env,
    );
    assert.equal(pkg.code, 0, pkg.stderr);
    // sklearn → scikit-learn (pinned by requirements.txt), PIL → Pillow; stdlib json/os dropped.
    assert.deepEqual(pkg.json.requirements, ['numpy==1.26.4', 'Pillow', 'scikit-learn==1.5.0']);
  });

  it('still deploys without the plugin, saying that no secret scan ran', async () => {
    const bin = kaggWithout(['@kagg/plugin-preprocess']);
    const other = tempDir();
    const r = spawnSync(
      process.execPath,
      [bin, 'deploy', path.join(FIXTURES, 'pm-basic.ipynb'), '--name', 'unscanned'],
      {
        env: isolatedEnv(other),
        encoding: 'utf8',
        timeout: CHILD_TIMEOUT_MS,
      },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /no secret scan ran: the preprocess plugin is not installed/);
    const json = spawnSync(
      process.execPath,
      [bin, 'deploy', path.join(FIXTURES, 'pm-basic.ipynb'), '--name', 'unscanned', '--json'],
      {
        env: isolatedEnv(other),
        encoding: 'utf8',
        timeout: CHILD_TIMEOUT_MS,
      },
    );
    assert.equal(JSON.parse(json.stdout).scanned, false);
    const registry = JSON.parse(readFileSync(path.join(other, 'endpoints.json'), 'utf8'));
    assert.ok(registry.endpoints.unscanned);
    await cleanup(other);
  });
});
