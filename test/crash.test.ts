// kill -9 at seeded points of deploy (local and the AWS fake), push, output and batch; afterwards
// the registry and state files validate, a re-run converges, nothing is duplicated or lost. Two
// seeds per operation here; bench/reliability/crash.mjs runs many (docs/reliability.md).
import { after, before, describe, it } from 'node:test';
import { type AwsFake, startAwsFake } from '@kagg/testkit/aws-fake';
import { type FaultProxy, startFaultProxy } from '@kagg/testkit/fault-proxy';
import type { FakeKaggle } from '@kagg/testkit/kaggle-fake';
import { fakeWithKernels } from './fixtures/batch/harness.ts';
import { crashBatch, crashDeployAws, crashDeployLocal, crashOutput, crashPush } from './fixtures/crash/harness.ts';

const SEEDS = [1, 2];
const BIG = Buffer.from(Array.from({ length: 30_000 }, (_, i) => `row ${i}\n`).join(''));
const FILES = { 'big.csv': BIG, 'small.txt': Buffer.from('small') };

describe('kill -9 during a local deploy', () => {
  for (const seed of SEEDS) it(`seed ${seed}`, async () => void (await crashDeployLocal(seed)));
});

describe('kill -9 during an aws deploy', () => {
  let fake: AwsFake;
  before(async () => {
    fake = await startAwsFake();
  });
  after(() => fake.close());
  for (const seed of SEEDS) it(`seed ${seed}`, async () => void (await crashDeployAws(seed, fake)));
});

describe('kill -9 during a push, an output download', () => {
  let fake: FakeKaggle;
  let proxy: FaultProxy;
  before(async () => {
    fake = await fakeWithKernels(1);
    fake.addKernel({
      owner: 'alice',
      slug: 'big-output',
      outputs: Object.entries(FILES).map(([fileName, content]) => ({ fileName, content })),
    });
    // The download crawls (about a second), so kills land in the middle of it.
    proxy = await startFaultProxy({ target: fake.url, seed: 1, faults: { bytesPerSecond: 250_000 } });
    fake.origin = proxy.via(fake.origin);
  });
  after(async () => {
    await proxy.close();
    await fake.close();
  });
  for (const seed of SEEDS) it(`push, seed ${seed}`, async () => void (await crashPush(seed, fake)));
  for (const seed of SEEDS)
    it(`output, seed ${seed}`, async () => void (await crashOutput(seed, fake, proxy.via(fake.url), FILES)));
});

describe('kill -9 during a run batch, then --resume', () => {
  for (const seed of SEEDS) it(`seed ${seed}`, async () => void (await crashBatch(seed)));
});
