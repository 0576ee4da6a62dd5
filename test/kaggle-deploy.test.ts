/**
 * `kagg deploy alice/titanic-model --with-outputs`: the notebook comes from Kaggle, the latest run's
 * output files (a trained "model") are bundled under kaggle/working/, and the endpoint's
 * process_request reads them from /kaggle/working as it did on Kaggle.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type FakeKaggle, startFakeKaggle } from '@kagg/testkit/kaggle-fake';
import { notebookJson } from '@kagg/testkit/notebooks';
import { cleanup, FIXTURES, isolatedEnv, kagg, kaggJson, tempDir } from './helpers.ts';

const KEY = 'alicekey0123456789abcdef01234567';

function notebook(cells: string[]): string {
  return notebookJson(cells.map((source) => ({ source })));
}

describe('deploying a Kaggle kernel', () => {
  const home = tempDir();
  let fake: FakeKaggle;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    fake = await startFakeKaggle({ users: [{ username: 'alice', key: KEY }] });
    fake.addKernel({
      owner: 'alice',
      slug: 'titanic-model',
      title: 'Titanic Model',
      source: notebook([
        'import json\nwith open("/kaggle/working/model.json") as f:\n    WEIGHTS = json.load(f)',
        'def process_request(payload):\n    return {"score": sum(WEIGHTS[k] * payload.get(k, 0) for k in WEIGHTS)}',
      ]),
      outputs: [{ fileName: 'model.json', content: '{"age": 0.5, "fare": 2}' }],
    });
    fake.addKernel({
      owner: 'alice',
      slug: 'a-script',
      title: 'A Script',
      kernelType: 'script',
      language: 'python',
      source: 'print(1)\n',
    });
    env = isolatedEnv(home, {
      KAGG_KAGGLE_API_URL: fake.url,
      KAGGLE_CONFIG_DIR: `${home}/kaggle`,
      KAGGLE_API_TOKEN: '',
      KAGGLE_USERNAME: 'alice',
      KAGGLE_KEY: KEY,
      KAGG_HTTP_RETRY_BASE_MS: '5',
    });
  });
  after(async () => {
    await cleanup(home);
    await fake.close();
  });

  it('bundles the run outputs and serves the model trained on Kaggle', async () => {
    const dep = await kaggJson<{ name: string; changed: boolean }>(
      ['deploy', 'alice/titanic-model', '--with-outputs'],
      env,
    );
    assert.equal(dep.code, 0, dep.stderr);
    assert.equal(dep.json.name, 'titanic-model');
    const answer = await kaggJson<{ status: number; body: unknown }>(
      ['invoke', 'titanic-model', '--data', '{"age": 10, "fare": 3}'],
      env,
    );
    assert.equal(answer.json.status, 200, JSON.stringify(answer.json));
    assert.deepEqual(answer.json.body, { score: 11 });
    const storage = fake.requests.filter((r) => !r.rpc);
    assert.ok(storage.length > 0, 'the outputs were downloaded from storage');
    assert.ok(
      storage.every((r) => !r.headers.authorization),
      'no credentials sent to storage URLs',
    );
  });

  it('accepts a kaggle.com URL too, and says without --with-outputs the model file is missing', async () => {
    const dep = await kaggJson<{ error: { message: string } }>(
      ['deploy', 'https://www.kaggle.com/code/alice/titanic-model', '--name', 'no-outputs'],
      env,
    );
    assert.equal(dep.code, 1);
    assert.match(dep.json.error.message, /model\.json/);
  });

  it('refuses a script kernel and an unknown kernel with clear errors', async () => {
    const script = await kagg(['deploy', 'alice/a-script'], env);
    assert.equal(script.code, 2);
    assert.match(script.stderr, /alice\/a-script is a python script, not a Python notebook/);
    const missing = await kagg(['deploy', 'alice/nothing-here'], env);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /alice\/nothing-here/);
    const local = await kagg(['deploy', path.join(FIXTURES, 'pm-basic.ipynb'), '--with-outputs'], env);
    assert.equal(local.code, 2);
    assert.match(local.stderr, /--with-outputs needs a Kaggle kernel/);
  });
});
