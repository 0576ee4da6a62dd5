// bench/batch: `kagg batch --operation download` of 200 kernels from the Kaggle fake answering every
// request after 50 ms, under the fake's rate limit (50 requests/s, burst 4) with kagg's client
// limited to the same rate, at --parallel 1 and --parallel 8. Reports the wall time (median of N
// runs, default 3, BENCH_RUNS), the speed-up, and the distance to the rate limit's bound (the least
// time the server allows: requests / rate). Prints a table; `--json` prints JSON. Never a test.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFakeKaggle } from '@kagg/testkit/kaggle-fake';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = path.join(root, 'bin', 'run.js');
const runs = Number(process.env.BENCH_RUNS ?? 3);
const KERNELS = Number(process.env.BENCH_KERNELS ?? 200);
const LATENCY_MS = 50;
const RATE = 50;

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function kagg(args, env, cwd) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stdout.resume();
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

async function once(parallel) {
  const fake = await startFakeKaggle({ latencyMs: LATENCY_MS, rateLimit: { perSecond: RATE, burst: 4 } });
  for (let i = 1; i <= KERNELS; i++) fake.addKernel({ owner: 'alice', slug: `kernel-${i}` });
  const home = mkdtempSync(path.join(os.tmpdir(), 'kagg-bench-batch-'));
  const file = path.join(home, 'kernels.txt');
  writeFileSync(file, Array.from({ length: KERNELS }, (_, i) => `alice/kernel-${i + 1}`).join('\n'));
  const env = {
    ...process.env,
    KAGG_HOME: home,
    HOME: home,
    XDG_DATA_HOME: path.join(home, 'data'),
    CI: '1',
    KAGG_KAGGLE_API_URL: fake.url,
    KAGGLE_USERNAME: 'alice',
    KAGGLE_KEY: 'alicekey0123456789abcdef01234567',
    KAGGLE_CONFIG_DIR: path.join(home, 'kaggle'),
    KAGG_KAGGLE_RATE: String(RATE),
    KAGG_KAGGLE_BURST: '2',
  };
  delete env.KAGGLE_API_TOKEN;
  const started = performance.now();
  const result = await kagg(
    ['batch', file, '--operation', 'download', '--parallel', String(parallel), '--path', path.join(home, 'out')],
    env,
    home,
  );
  const ms = performance.now() - started;
  const rateLimited = fake.requests.filter((r) => r.fault === 'rate-limit').length;
  const requests = fake.requests.length;
  await fake.close();
  rmSync(home, { recursive: true, force: true });
  if (result.code !== 0) throw new Error(`batch failed (exit ${result.code}):\n${result.stderr}`);
  return { ms, rateLimited, requests };
}

const results = {};
for (const parallel of [1, 8]) {
  const samples = [];
  for (let r = 0; r < runs; r++) samples.push(await once(parallel));
  results[parallel] = {
    ms: median(samples.map((s) => s.ms)),
    requests: median(samples.map((s) => s.requests)),
    rateLimited: Math.max(...samples.map((s) => s.rateLimited)),
  };
}
// The server admits `burst` at once, then RATE per second: the least time for the requests.
const boundMs = (Math.max(0, results[8].requests - 4) / RATE) * 1000;
const summary = {
  kernels: KERNELS,
  latencyMs: LATENCY_MS,
  rateLimitPerSecond: RATE,
  runs,
  node: process.version,
  cpus: os.availableParallelism(),
  parallel1Ms: Math.round(results[1].ms),
  parallel8Ms: Math.round(results[8].ms),
  speedUp: Number((results[1].ms / results[8].ms).toFixed(2)),
  requests: results[8].requests,
  rateBoundMs: Math.round(boundMs),
  parallel8OverBound: Number((results[8].ms / boundMs).toFixed(2)),
  answered429: { parallel1: results[1].rateLimited, parallel8: results[8].rateLimited },
};
if (process.argv.includes('--json')) {
  console.log(JSON.stringify(summary, null, 2));
} else {
  console.log(`${KERNELS} downloads, ${LATENCY_MS} ms latency, rate limit ${RATE}/s, median of ${runs}`);
  console.log(`--parallel 1   ${(summary.parallel1Ms / 1000).toFixed(2)} s`);
  console.log(`--parallel 8   ${(summary.parallel8Ms / 1000).toFixed(2)} s   (speed-up ×${summary.speedUp})`);
  console.log(
    `rate bound     ${(summary.rateBoundMs / 1000).toFixed(2)} s   (${summary.requests} requests / ${RATE} per s; --parallel 8 is ×${summary.parallel8OverBound} of it)`,
  );
  console.log(
    `429 answers    parallel 1: ${summary.answered429.parallel1}, parallel 8: ${summary.answered429.parallel8}`,
  );
}
