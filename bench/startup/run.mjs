// bench/startup: start-up time of kagg against Node's own floor (`node -e 0`). Median of N runs each
// (default 30), measured in one process so every command sees the same machine state. Prints a
// table and the ratios; `--json` prints them as JSON. Never used as a test assertion.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const runs = Number(process.env.BENCH_RUNS ?? 30);
const home = mkdtempSync(path.join(os.tmpdir(), 'kagg-bench-'));
const env = { ...process.env, KAGG_HOME: home, HOME: home, XDG_DATA_HOME: path.join(home, 'data') };
const bin = path.join(root, 'bin', 'run.js');
const bare = path.join(root, 'bench', 'startup', 'bare-cli', 'bin.js');

// A registry of 10 endpoints, so `endpoints list` reads and validates a real file.
const now = new Date().toISOString();
const endpoints = Object.fromEntries(
  Array.from({ length: 10 }, (_, i) => [
    `model-${i}`,
    {
      name: `model-${i}`,
      target: 'local',
      url: `http://127.0.0.1:${9000 + i}/`,
      auth: 'public',
      bundleHash: 'ab'.repeat(32),
      providerIds: { pid: 1, port: 9000 + i },
      createdAt: now,
      updatedAt: now,
    },
  ]),
);
const full = mkdtempSync(path.join(os.tmpdir(), 'kagg-bench-'));
writeFileSync(path.join(full, 'endpoints.json'), JSON.stringify({ version: 1, endpoints }));
const fullEnv = { ...env, KAGG_HOME: full };

const cases = [
  ['node -e 0', ['-e', '0']],
  ['bare oclif CLI', [bare, 'hello']],
  ['kagg --version', [bin, '--version']],
  ['kagg --help', [bin, '--help']],
  ['kagg endpoints list', [bin, 'endpoints', 'list']],
  ['kagg endpoints list (10)', [bin, 'endpoints', 'list'], fullEnv],
];

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

// Round-robin: each round runs every case once, so drift in machine load hits all cases alike.
for (const [, args, caseEnv = env] of cases) spawnSync(process.execPath, args, { env: caseEnv, stdio: 'ignore' }); // warm caches
const times = cases.map(() => []);
for (let i = 0; i < runs; i++) {
  cases.forEach(([name, args, caseEnv = env], c) => {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { env: caseEnv, stdio: 'ignore' });
    times[c].push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (r.status !== 0) throw new Error(`${name} exited ${r.status}`);
  });
}
const results = cases.map(([name], c) => ({
  name,
  medianMs: Math.round(median(times[c]) * 10) / 10,
  minMs: Math.round(Math.min(...times[c]) * 10) / 10,
}));
const floor = results[0].medianMs;
for (const r of results) r.ratio = Math.round((r.medianMs / floor) * 100) / 100;
if (process.argv.includes('--json')) console.log(JSON.stringify({ node: process.version, runs, results }, null, 2));
else {
  console.log(`node ${process.version}, ${runs} runs each, median (min)`);
  for (const r of results)
    console.log(`${r.name.padEnd(22)} ${String(r.medianMs).padStart(7)} ms (${r.minMs})  ${r.ratio}×`);
}
