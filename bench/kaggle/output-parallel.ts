// Benchmark: `kagg output` of 200 kernels in one command against a fake Kaggle limited to R requests
// per second and answering every request after 50 ms. The work needs exactly 2 requests per kernel
// (one ListKernelSessionOutput page, one signed-URL download), so the limit allows it in 400 / R
// seconds. Checks: zero failures, zero 429s, no request beyond those 400; reports the wall time
// (process start included) at --parallel 8 and --parallel 1.
//
//   node bench/kaggle/output-parallel.ts            (R=40, 3 runs at --parallel 8, 1 at --parallel 1)
//   KAGG_BENCH_RATE=20 KAGG_BENCH_RUNS=5 node bench/kaggle/output-parallel.ts
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startFakeKaggle } from '@kagg/testkit/kaggle-fake';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const RATE = Number(process.env.KAGG_BENCH_RATE ?? 40);
const RUNS = Number(process.env.KAGG_BENCH_RUNS ?? 3);
const KERNELS = 200;
const LATENCY_MS = 50;
const KEY = 'benchkey0123456789abcdef01234567';

interface Outcome {
  parallel: number;
  seconds: number;
  requests: number;
  rateLimited: number;
  written: number;
  exitCode: number;
}

async function once(parallel: number): Promise<Outcome> {
  const fake = await startFakeKaggle({
    users: [{ username: 'bench', key: KEY }],
    latencyMs: LATENCY_MS,
    rateLimit: { perSecond: RATE, burst: 4 },
  });
  const refs: string[] = [];
  for (let i = 0; i < KERNELS; i++) {
    const slug = `kernel-${String(i).padStart(3, '0')}`;
    fake.addKernel({
      owner: 'bench',
      slug,
      outputs: [{ fileName: 'submission.csv', content: `id,y\n${i},1\n` }],
      log: `run ${i}\n`,
    });
    refs.push(`bench/${slug}`);
  }
  const home = mkdtempSync(path.join(os.tmpdir(), 'kagg-bench-'));
  const env = {
    ...process.env,
    HOME: home,
    KAGG_HOME: home,
    KAGGLE_CONFIG_DIR: home,
    KAGGLE_API_TOKEN: '',
    KAGGLE_USERNAME: 'bench',
    KAGGLE_KEY: KEY,
    KAGG_KAGGLE_API_URL: fake.url,
    KAGG_KAGGLE_RATE: String(RATE),
    KAGG_KAGGLE_BURST: '1',
    CI: '1',
  };
  const started = performance.now();
  const { code, stdout } = await new Promise<{ code: number; stdout: string }>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        path.join(ROOT, 'bin', 'run.js'),
        'output',
        ...refs,
        '--parallel',
        String(parallel),
        '--path',
        path.join(home, 'out'),
        '--json',
      ],
      {
        env,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.on('error', reject);
    child.on('close', (c) => resolve({ code: c ?? -1, stdout: out }));
  });
  const seconds = (performance.now() - started) / 1000;
  const result = JSON.parse(stdout) as { written?: number };
  const outcome: Outcome = {
    parallel,
    seconds,
    requests: fake.requests.length,
    rateLimited: fake.requests.filter((r) => r.status === 429).length,
    written: result.written ?? 0,
    exitCode: code,
  };
  await fake.close();
  rmSync(home, { recursive: true, force: true });
  return outcome;
}

const allowed = (2 * KERNELS) / RATE;
const results: Outcome[] = [];
for (let i = 0; i < RUNS; i++) results.push(await once(8));
results.push(await once(1));

process.stdout.write(
  `\nkagg output: ${KERNELS} kernels, fake limited to ${RATE} req/s, ${LATENCY_MS} ms latency; the limit allows ${allowed.toFixed(1)} s\n\n`,
);
process.stdout.write(
  '| --parallel | wall time (s) | × limit time | requests | 429s | files written | exit |\n|---|---|---|---|---|---|---|\n',
);
let ok = true;
for (const r of results) {
  process.stdout.write(
    `| ${r.parallel} | ${r.seconds.toFixed(2)} | ${(r.seconds / allowed).toFixed(2)} | ${r.requests} | ${r.rateLimited} | ${r.written} | ${r.exitCode} |\n`,
  );
  const clean = r.exitCode === 0 && r.rateLimited === 0 && r.requests === 2 * KERNELS && r.written === KERNELS;
  if (!clean) ok = false;
  if (r.parallel === 8 && r.seconds > allowed * 1.2) ok = false;
}
process.stdout.write(
  `\n${ok ? 'PASS' : 'FAIL'}: --parallel 8 within 1.2× of ${allowed.toFixed(1)} s, zero failures, zero 429s, exactly ${2 * KERNELS} requests\n`,
);
process.exitCode = ok ? 0 : 1;
