/**
 * A batch survives a storm: the Kaggle fake answers a run of 500s, 503s and 429s (Retry-After),
 * yet every download succeeds, each item once, with one stdout line per item. And eight workers
 * never trip the server's own rate limit: they share the process's one client and rate limiter
 * (here 20 requests/s against the server's 40). The server's burst of 20 absorbs requests bunched
 * by a loaded machine (a stall of up to a second).
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BatchReport } from '@kagg/core/batch';
import type { FakeKaggle } from '@kagg/testkit/kaggle-fake';
import { batchEnv, fakeWithKernels } from './fixtures/batch/harness.ts';
import { kagg, tempDir } from './helpers.ts';

describe('a 429/500 storm', () => {
  let fake: FakeKaggle;
  const home = tempDir('kagg-batch-storm-');
  const work = tempDir('kagg-batch-storm-work-');
  const count = 30;
  before(async () => {
    fake = await fakeWithKernels(count, { rateLimit: { perSecond: 40, burst: 20 }, latencyMs: 5 });
    writeFileSync(
      path.join(work, 'all.txt'),
      Array.from({ length: count }, (_, i) => `alice/kernel-${i + 1}`).join('\n'),
    );
  });
  after(async () => {
    await fake.close();
    rmSync(home, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  it('is survived: every item succeeds once', async () => {
    fake.inject({ target: 'GetKernel', status: 500, times: 6 });
    fake.inject({ target: 'GetKernel', status: 429, retryAfter: 1, times: 3 });
    fake.inject({ target: 'GetKernel', status: 503, envelope: 'legacy', times: 4 });
    const reportFile = path.join(work, 'report.json');
    const result = await kagg(
      [
        'batch',
        'all.txt',
        '-o',
        'download',
        '--parallel',
        '8',
        '--path',
        path.join(work, 'out'),
        '--report',
        reportFile,
      ],
      batchEnv(home, fake, { KAGG_KAGGLE_RATE: '20', KAGG_KAGGLE_BURST: '1' }),
      { cwd: work },
    );
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trimEnd().split('\n');
    assert.equal(lines.length, count, 'one line per item');
    assert.ok(
      lines.every((l) => /^ok\talice\/kernel-\d+\t\//.test(l)),
      result.stdout,
    );
    const rateLimited = fake.requests.filter((r) => r.fault === 'rate-limit').length;
    const injected = fake.requests.filter((r) => r.fault?.startsWith('status ')).length;
    assert.equal(rateLimited, 0, 'parallel workers stayed under the server rate limit');
    assert.equal(injected, 13, 'every injected error was hit');
    const served = fake.calls('GetKernel').filter((r) => r.status === 200);
    assert.equal(served.length, count, 'each kernel fetched once successfully');
    const report = JSON.parse(readFileSync(reportFile, 'utf8')) as BatchReport;
    assert.equal(report.counts.succeeded, count);
    assert.ok(report.items.every((i) => i.attempts === 1));
  });
});
