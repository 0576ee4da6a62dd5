// Warnings reach `--json` results: every command that can warn (a value kagg adjusted, a line it
// skipped, a magic it dropped) carries them in `warnings: string[]`, the same lines stderr shows
// without --json; a command that did not warn carries `warnings: []`.
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FakeKaggle } from '@kagg/testkit/kaggle-fake';
import { notebookJson } from '@kagg/testkit/notebooks';
import { kagg, kaggJson, tempDir } from './helpers.ts';
import { ALICE_KEY, kaggleEnv, startKaggleFake } from './kaggle-helpers.ts';

let fake: FakeKaggle;
let home = '';
before(async () => {
  fake = await startKaggleFake();
  home = tempDir('kagg-json-warnings-');
  fake.addKernel({ owner: 'alice', slug: 'iris', outputs: [{ fileName: 'out.csv', content: 'a\n1\n' }] });
});
after(async () => {
  await fake.close();
  rmSync(home, { recursive: true, force: true });
});

const env = (extra: Record<string, string> = {}) => kaggleEnv(home, fake, { KAGG_KAGGLE_POLL_MS: '5', ...extra });
const folder = (name: string) => {
  const d = path.join(home, name);
  mkdirSync(d, { recursive: true });
  return d;
};

/** The command's --json result carries `expected` among its warnings, as its text run shows it on stderr. */
async function warnsInJson(args: string[], expected: RegExp, runEnv = env()): Promise<string[]> {
  const json = await kaggJson<{ warnings?: unknown }>(args, runEnv);
  assert.equal(json.code, 0, json.stderr);
  assert.ok(Array.isArray(json.json.warnings), `${args[0]} --json has a warnings array: ${json.stdout}`);
  const warnings = json.json.warnings as string[];
  assert.ok(
    warnings.some((w) => expected.test(w)),
    `${args[0]} --json warnings ${JSON.stringify(warnings)} hold ${expected}`,
  );
  assert.equal(json.stderr.includes('Warning:'), false, 'under --json a warning is in the result, not on stderr');
  const text = await kagg(args, runEnv);
  assert.match(text.stderr, new RegExp(`Warning: .*${expected.source}`));
  return warnings;
}

describe('--json results carry warnings', () => {
  it('list: a --page-size kagg lowered', async () => {
    await warnsInJson(['list', '--page-size', '500'], /--page-size 500 is over Kaggle's maximum; 100 is used/);
  });

  it('output: a --page-size kagg lowered', async () => {
    await warnsInJson(
      ['output', 'alice/iris', '--page-size', '300', '--path', folder('out')],
      /--page-size 300 is over the maximum; 200 is used/,
    );
  });

  it('status: kaggle.json others can read (a warning from the Kaggle client), without the key', async () => {
    const conf = folder('conf-open');
    writeFileSync(path.join(conf, 'kaggle.json'), JSON.stringify({ username: 'alice', key: ALICE_KEY }), {
      mode: 0o644,
    });
    const warnings = await warnsInJson(
      ['status', 'alice/iris'],
      /readable by other users/,
      env({ KAGGLE_USERNAME: '', KAGGLE_KEY: '', KAGGLE_CONFIG_DIR: conf }),
    );
    assert.ok(!JSON.stringify(warnings).includes(ALICE_KEY));
  });

  it('package: a notebook magic kagg rewrote, listed once though the service and the command both give it', async () => {
    const nb = path.join(folder('nb'), 'magic.ipynb');
    writeFileSync(
      nb,
      notebookJson([{ source: '%cd data' }, { source: 'def process_request(payload):\n    return {}' }]),
    );
    const warnings = await warnsInJson(
      ['package', nb, '--output', path.join(home, 'magic.zip')],
      /%cd data becomes os.chdir/,
    );
    assert.equal(new Set(warnings).size, warnings.length, `each warning once: ${JSON.stringify(warnings)}`);
  });

  it('a command that did not warn carries an empty list', async () => {
    const r = await kaggJson<{ warnings?: unknown }>(['status', 'alice/iris'], env());
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.json.warnings, []);
  });
});
