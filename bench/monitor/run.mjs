// Monitor benchmarks (results in docs/benchmarks.md):
//  1. schedule drift: 1000 probes at a 10 ms interval against one loopback endpoint; how late each
//     probe was sent compared with its due time (start + k·interval), p50/p99/max; target p99 ≤ 2 ms;
//  2. 50 endpoints monitored at once from one process: probes/s, send lag, missed ticks, CPU and memory.
// The endpoint is a separate node process on 127.0.0.1 (bench/monitor/server.mjs).
// Usage: node bench/monitor/run.mjs [drift|fleet] (both by default); BENCH_FLEET_SECONDS (default 30),
// BENCH_FLEET_INTERVAL_MS (default 500).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadRun, Monitor, parseCondition, realClock } from '@kagg/plugin-monitor';

const here = path.dirname(fileURLToPath(import.meta.url));

async function startServer() {
  const child = spawn(process.execPath, [path.join(here, 'server.mjs')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((resolve) => child.stdout.once('data', (d) => resolve(Number(String(d).trim()))));
  return { url: `http://127.0.0.1:${port}/`, stop: () => child.kill() };
}

function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}
const f = (v) => v.toFixed(2);

async function run({ urls, intervalMs, durationMs }) {
  const home = mkdtempSync(path.join(os.tmpdir(), 'kagg-bench-monitor-'));
  const monitor = new Monitor({
    id: 'bench',
    home,
    endpoints: urls.map((url, i) => ({ name: `e${i}`, target: 'url', url, headers: {} })),
    intervalMs,
    durationMs,
    mode: 'steady',
    conditions: [parseCondition('[STATUS] == 200'), parseCondition('[BODY].label == setosa')],
    timeoutMs: 10_000,
    maxInFlight: 50,
    coldIdleMs: 600_000,
    alerts: { failureThreshold: 3, successThreshold: 2, reminderMs: 0 },
    channels: [],
    clock: realClock,
    signal: new AbortController().signal,
  });
  let rssMax = 0;
  const sampler = setInterval(() => {
    rssMax = Math.max(rssMax, process.memoryUsage().rss);
  }, 100);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await monitor.run();
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  clearInterval(sampler);
  rssMax = Math.max(rssMax, process.memoryUsage().rss);
  const { lines } = await loadRun(result.dir);
  rmSync(home, { recursive: true, force: true });
  const probes = lines.filter((l) => !l.missed);
  const lag = probes.map((p) => p.sentAt - p.scheduledAt).sort((a, b) => a - b);
  const latency = probes
    .map((p) => p.latencyMs)
    .filter((v) => v !== null)
    .sort((a, b) => a - b);
  const sched = probes
    .map((p) => p.scheduledLatencyMs)
    .filter((v) => v !== null)
    .sort((a, b) => a - b);
  return {
    probes: probes.length,
    missed: lines.length - probes.length,
    ok: probes.filter((p) => p.ok).length,
    lag: { p50: quantile(lag, 0.5), p99: quantile(lag, 0.99), max: lag.at(-1) },
    latency: { p50: quantile(latency, 0.5), p99: quantile(latency, 0.99) },
    scheduled: { p50: quantile(sched, 0.5), p99: quantile(sched, 0.99) },
    wallMs: wall,
    cpuPercent: ((cpu.user + cpu.system) / 1000 / wall) * 100,
    rssMaxMiB: rssMax / 2 ** 20,
    heapMiB: process.memoryUsage().heapUsed / 2 ** 20,
  };
}

/** The machine's own timer lateness: the same anchored 10 ms schedule with nothing to do. */
async function baseline() {
  const start = performance.now();
  const lag = [];
  for (let k = 0; k < 1000; k++) {
    const at = start + k * 10;
    await realClock.sleepUntil(at);
    lag.push(performance.now() - at);
  }
  return lag.sort((a, b) => a - b);
}

const which = process.argv[2];
const server = await startServer();
try {
  if (!which || which === 'drift') {
    const r = await run({ urls: [server.url], intervalMs: 10, durationMs: 10_000 });
    console.log(`drift: 1 endpoint, 10 ms interval, ${r.probes} probes (${r.missed} missed, ${r.ok} ok)`);
    console.log(
      `  send lag behind schedule ms: p50 ${f(r.lag.p50)}  p99 ${f(r.lag.p99)}  max ${f(r.lag.max)}  (target p99 ≤ 2)`,
    );
    console.log(
      `  latency from sent ms: p50 ${f(r.latency.p50)}  p99 ${f(r.latency.p99)}; from schedule: p50 ${f(r.scheduled.p50)}  p99 ${f(r.scheduled.p99)}`,
    );
    console.log(`  CPU ${r.cpuPercent.toFixed(1)}% of one core, RSS max ${r.rssMaxMiB.toFixed(1)} MiB`);
    const b = await baseline();
    console.log(
      `  baseline, the same schedule with no probes: lag p50 ${f(quantile(b, 0.5))}  p99 ${f(quantile(b, 0.99))}  max ${f(b.at(-1))}`,
    );
    console.log(
      `  load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} on ${os.cpus().length} cores`,
    );
  }
  if (!which || which === 'fleet') {
    const seconds = Number(process.env.BENCH_FLEET_SECONDS ?? 30);
    const intervalMs = Number(process.env.BENCH_FLEET_INTERVAL_MS ?? 500);
    const urls = Array.from({ length: 50 }, (_, i) => `${server.url}fn${i}`);
    const r = await run({ urls, intervalMs, durationMs: seconds * 1000 });
    console.log(
      `fleet: 50 endpoints, ${intervalMs} ms interval each, ${seconds} s: ${r.probes} probes (${(r.probes / seconds).toFixed(0)}/s), ${r.missed} missed, ${r.ok} ok`,
    );
    console.log(`  send lag behind schedule ms: p50 ${f(r.lag.p50)}  p99 ${f(r.lag.p99)}  max ${f(r.lag.max)}`);
    console.log(
      `  latency from sent ms: p50 ${f(r.latency.p50)}  p99 ${f(r.latency.p99)}; from schedule: p50 ${f(r.scheduled.p50)}  p99 ${f(r.scheduled.p99)}`,
    );
    console.log(
      `  CPU ${r.cpuPercent.toFixed(1)}% of one core, RSS max ${r.rssMaxMiB.toFixed(1)} MiB, heap ${r.heapMiB.toFixed(1)} MiB`,
    );
  }
} finally {
  server.stop();
}
