/**
 * `kagg batch --resume ID --retry-failed`: a plain resume leaves failed items alone; with
 * --retry-failed they run again, and items that succeeded are not touched.
 */
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FakeKaggle } from '@kagg/testkit/kaggle-fake';
import { batchEnv, fakeWithKernels, stateFiles } from './fixtures/batch/harness.ts';
import { kagg, kaggJson, tempDir } from './helpers.ts';

interface Report {
  counts: { succeeded: number; failed: number };
  items: Array<{ input: string; status: string; attempts: number }>;
}

describe('kagg batch --retry-failed', () => {
  const home = tempDir();
  const work = tempDir('kagg-retry-');
  let fake: FakeKaggle;
  before(async () => {
    fake = await fakeWithKernels(2);
    writeFileSync(path.join(work, 'kernels.txt'), 'alice/kernel-1\nalice/kernel-2\nalice/late-kernel\n');
  });
  after(async () => {
    await fake.close();
    rmSync(home, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  it('runs only the failed items again, once they can succeed', async () => {
    const env = batchEnv(home, fake);
    const list = path.join(work, 'kernels.txt');
    const first = await kaggJson<Report>(
      ['batch', list, '--operation', 'download', '--path', path.join(work, 'out')],
      env,
    );
    assert.equal(first.code, 1, 'a failed item makes the batch exit 1');
    assert.deepEqual(first.json.counts.failed, 1);
    const id = path.basename(stateFiles(home)[0] as string, '.jsonl');
    fake.addKernel({ owner: 'alice', slug: 'late-kernel' });
    const pullsBefore = fake.calls('GetKernel').length;

    const plain = await kaggJson<Report>(['batch', '--resume', id], env);
    assert.equal(plain.code, 1, 'a plain resume does not retry the failed item');
    assert.equal(fake.calls('GetKernel').length, pullsBefore);

    const retried = await kaggJson<Report>(['batch', '--resume', id, '--retry-failed'], env);
    assert.equal(retried.code, 0, retried.stderr);
    assert.equal(retried.json.counts.succeeded, 3);
    const late = retried.json.items.find((i) => i.input === 'alice/late-kernel');
    assert.equal(late?.status, 'succeeded');
    assert.equal(late?.attempts, 2);
    assert.equal(fake.calls('GetKernel').length, pullsBefore + 1, 'only the failed item was pulled again');

    const misuse = await kagg(['batch', list, '--operation', 'download', '--retry-failed'], env);
    assert.equal(misuse.code, 2, '--retry-failed needs --resume');
  });
});
