// bench/http/load: the local endpoint under concurrent clients, beside a plain Python
// ThreadingHTTPServer with a 1,024 backlog (the floor: no limits, a thread per connection) in the same
// run. Each client sends POSTs one after another, each on its own connection (as the issue measured).
// Notebooks: `fast` answers at once, `slow` sleeps 0.2 s. Then a redeploy of a changed notebook under
// 16 clients: errors, and whether the URL stayed.
//   node bench/http/load.ts            BENCH_CLIENTS=1,16,64 BENCH_SCALE=0.5 node bench/http/load.ts
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createBundle } from '@kagg/core/bundle';
import { resourceNameOf } from '@kagg/core/naming';
import { convertNotebook, readNotebook } from '@kagg/core/notebook';
import type { Deployment, OperationContext } from '@kagg/plugin-api';
import { type LocalOptions, localTarget } from '@kagg/plugin-local';
import { tempDir } from '@kagg/testkit/temp';

const LEVELS = (process.env.BENCH_CLIENTS ?? '1,16,64,256').split(',').map(Number);
const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const base = tempDir('kagg-bench-load-');
const ctx: OperationContext = {
  stateDir: path.join(base, 'state'),
  logDir: path.join(base, 'logs'),
  progress() {},
  log: { info() {}, warn: (m) => console.log(`  warn: ${m}`), debug() {} },
  signal: new AbortController().signal,
};
const SOURCES = {
  fast: 'def process_request(payload):\n    return {"v": VERSION}\n',
  slow: 'import time\n\ndef process_request(payload):\n    time.sleep(0.2)\n    return {"v": VERSION}\n',
};

async function deploy(name: string, source: string, options: LocalOptions = {}, previous?: Deployment) {
  const nb = JSON.stringify({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: [{ id: 'c', cell_type: 'code', execution_count: null, metadata: {}, outputs: [], source }],
  });
  const bundle = await createBundle({
    name,
    source: 'b.ipynb',
    conversion: convertNotebook(readNotebook(nb, 'b.ipynb')),
  });
  return localTarget.deploy(await localTarget.package(bundle, options), {
    ...ctx,
    name,
    resourceName: resourceNameOf(name, localTarget.naming),
    options,
    env: {},
    ...(previous ? { previous } : {}),
  });
}

/** The floor: Python's ThreadingHTTPServer, backlog 1,024, the same answer. */
async function plainServer(sleepS: number): Promise<{ url: string; stop: () => void }> {
  const script = path.join(base, `plain-${sleepS}.py`);
  writeFileSync(
    script,
    `import json, sys, time
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler
class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if ${sleepS}: time.sleep(${sleepS})
        body = b'{"v": 1}'
        self.send_response(200); self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
class S(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024
s = S(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
`,
  );
  const child = spawn('python3', [script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve) => child.stdout.once('data', (d) => resolve(String(d).trim())));
  return { url: `http://127.0.0.1:${port}/`, stop: () => child.kill() };
}

function post(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.request(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json' } });
    req.setTimeout(60_000, () => req.destroy(new Error('timeout')));
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(-1));
    req.end('{}');
  });
}

interface Run {
  rps: number;
  p50: number;
  p99: number;
  ok: number;
  s503: number;
  errors: number;
}

async function load(url: string, clients: number, total: number, during?: () => Promise<void>): Promise<Run> {
  const times: number[] = [];
  let ok = 0;
  let s503 = 0;
  let errors = 0;
  let left = total;
  let stop = false;
  const t0 = performance.now();
  const worker = async () => {
    while (!stop && (during ? true : left-- > 0)) {
      const t = performance.now();
      const status = await post(url);
      times.push(performance.now() - t);
      if (status === 200) ok++;
      else if (status === 503) s503++;
      else errors++;
    }
  };
  const workers = Array.from({ length: clients }, worker);
  if (during) {
    await during();
    stop = true;
  }
  await Promise.all(workers);
  const seconds = (performance.now() - t0) / 1000;
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0;
  return { rps: times.length / seconds, p50: at(0.5), p99: at(0.99), ok, s503, errors };
}

const row = (what: string, clients: number, r: Run) =>
  console.log(
    `| ${what} | ${clients} | ${r.ok + r.s503 + r.errors} | ${r.rps.toFixed(0)} | ${r.p50.toFixed(0)} | ${r.p99.toFixed(0)} | ${r.s503} | ${r.errors} |`,
  );

console.log(
  `${os.cpus().length} CPUs, load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
console.log('| server | clients | requests | req/s | p50 ms | p99 ms | 503 | errors |');
console.log('|---|---|---|---|---|---|---|---|');
for (const kind of ['fast', 'slow'] as const) {
  const sleepS = kind === 'slow' ? 0.2 : 0;
  const plain = await plainServer(sleepS);
  const kagg = await deploy(`bench-${kind}`, `VERSION = 1\n${SOURCES[kind]}`);
  const wide =
    kind === 'slow'
      ? await deploy('bench-slow-wide', `VERSION = 1\n${SOURCES[kind]}`, { maxConcurrency: 256 })
      : undefined;
  for (const clients of LEVELS) {
    const total = Math.max(clients, Math.round((kind === 'fast' ? Math.max(400, clients * 8) : clients * 2) * SCALE));
    row(`${kind}: plain ThreadingHTTPServer`, clients, await load(plain.url, clients, total));
    row(`${kind}: kagg local (default)`, clients, await load(kagg.url, clients, total));
    if (wide) row(`${kind}: kagg local, maxConcurrency=256`, clients, await load(wide.url, clients, total));
  }
  plain.stop();
  await localTarget.destroy(kagg, ctx);
  if (wide) await localTarget.destroy(wide, ctx);
}

// A changed redeploy under 16 clients: the run lasts from one second before the deploy to one after.
const one = await deploy('bench-redeploy', `VERSION = 1\n${SOURCES.fast}`);
let two: Deployment | undefined;
const during = await load(one.url, 16, 0, async () => {
  await sleep(1000);
  two = await deploy('bench-redeploy', `VERSION = 2\n${SOURCES.fast}`, {}, one);
  await sleep(1000);
});
row('fast: kagg local, redeploy under load', 16, during);
console.log(`redeploy: URL ${two?.url === one.url ? 'kept' : `changed to ${two?.url}`}`);
if (two) await localTarget.destroy(two, ctx);
