// bench/reliability/crash.mjs: many crash trials per operation (test/fixtures/crash/harness.ts):
// kagg killed with SIGKILL after a seeded delay during a local deploy, an aws deploy (fake), a push,
// an output download (bandwidth-capped through the fault proxy) and a run batch; after each, the
// registry/state are checked, the operation re-run, and duplicates or losses counted (any is a
// failed trial). Prints one line per operation; `--json` prints JSON. Never a test.
//   BENCH_TRIALS=50 (per operation), BENCH_OPS=deploy-local,push (a subset), BENCH_SEED=1 (first seed)
import { startAwsFake } from '@kagg/testkit/aws-fake';
import { startFaultProxy } from '@kagg/testkit/fault-proxy';
import { fakeWithKernels } from '../../test/fixtures/batch/harness.ts';
import {
  crashBatch,
  crashDeployAws,
  crashDeployLocal,
  crashOutput,
  crashPush,
} from '../../test/fixtures/crash/harness.ts';

const trials = Number(process.env.BENCH_TRIALS ?? 50);
const firstSeed = Number(process.env.BENCH_SEED ?? 1);
const only = process.env.BENCH_OPS?.split(',');
const BIG = Buffer.from(Array.from({ length: 30_000 }, (_, i) => `row ${i}\n`).join(''));
const FILES = { 'big.csv': BIG, 'small.txt': Buffer.from('small') };

const aws = await startAwsFake();
const kaggle = await fakeWithKernels(1);
kaggle.addKernel({
  owner: 'alice',
  slug: 'big-output',
  outputs: Object.entries(FILES).map(([fileName, content]) => ({ fileName, content })),
});
const proxy = await startFaultProxy({ target: kaggle.url, seed: firstSeed, faults: { bytesPerSecond: 250_000 } });
kaggle.origin = proxy.via(kaggle.origin);

const ops = {
  'deploy-local': (seed) => crashDeployLocal(seed),
  'deploy-aws': (seed) => crashDeployAws(seed, aws),
  push: (seed) => crashPush(seed, kaggle),
  output: (seed) => crashOutput(seed, kaggle, proxy.via(kaggle.url), FILES),
  batch: (seed) => crashBatch(seed),
};

const results = [];
for (const [op, trial] of Object.entries(ops)) {
  if (only && !only.includes(op)) continue;
  const row = { op, trials: 0, killed: 0, passed: 0, failures: [] };
  for (let seed = firstSeed; seed < firstSeed + trials; seed++) {
    row.trials++;
    try {
      const t = await trial(seed);
      row.passed++;
      if (t.killed) row.killed++;
    } catch (error) {
      row.failures.push({ seed, error: String(error?.message ?? error).split('\n')[0] });
    }
    process.stderr.write(`\r${op}: ${row.trials}/${trials}`);
  }
  process.stderr.write('\n');
  results.push(row);
}
await proxy.close();
await kaggle.close();
await aws.close();

if (process.argv.includes('--json')) console.log(JSON.stringify(results, null, 2));
else {
  console.log('operation     trials  killed mid-way  passed  failed');
  for (const r of results) {
    console.log(
      `${r.op.padEnd(13)} ${String(r.trials).padStart(6)}  ${String(r.killed).padStart(14)}  ${String(r.passed).padStart(6)}  ${String(r.failures.length).padStart(6)}`,
    );
    for (const f of r.failures) console.log(`  seed ${f.seed}: ${f.error}`);
  }
}
process.exit(results.every((r) => r.failures.length === 0) ? 0 : 1);
