// bench/http: `kagg invoke` of an endpoint on 127.0.0.1 (the command that loads the HTTP client)
// against `kagg endpoints list` (which loads none), each a fresh process, round-robin, median of N
// (BENCH_RUNS, default 20) of the wall time and of the CPU time (user + system, as bash's `times`
// reports it for the child: far less disturbed than wall time on a loaded machine). The endpoint is a
// plain Node server started here answering JSON, so the time is kagg's own: start-up, the HTTP
// client's import and one request.
// KAGG_BENCH_BASELINE=<another checkout, built> adds the same two cases run from it, in the same rounds.
//   node bench/http/invoke.mjs            KAGG_BENCH_BASELINE=/tmp/kagg-main node bench/http/invoke.mjs
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const runs = Number(process.env.BENCH_RUNS ?? 20);
const home = mkdtempSync(path.join(os.tmpdir(), 'kagg-bench-'));
const env = { ...process.env, KAGG_HOME: home, HOME: home, XDG_DATA_HOME: path.join(home, 'data') };

const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"prediction":1}');
  });
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${server.address().port}/`;

const roots = [['', root]];
if (process.env.KAGG_BENCH_BASELINE) roots.push([' (baseline)', path.resolve(process.env.KAGG_BENCH_BASELINE)]);
const cases = roots.flatMap(([tag, dir]) => [
  [`kagg endpoints list${tag}`, [path.join(dir, 'bin', 'run.js'), 'endpoints', 'list']],
  [`kagg invoke${tag}`, [path.join(dir, 'bin', 'run.js'), 'invoke', url, '-d', '{"x":1}']],
]);

/** Runs one process to its end (async: the server above answers from this same process): wall and CPU ms. */
function time(args) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const quoted = [process.execPath, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
    const child = spawn('bash', ['-c', `${quoted} >/dev/null || exit 1; times`], { env });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      const wall = Number(process.hrtime.bigint() - t0) / 1e6;
      // `times`: the shell's user/sys, then its children's, as 0m0.123s.
      const ms = [...(out.trim().split('\n')[1] ?? '').matchAll(/(\d+)m([\d.]+)s/g)].map(
        (m) => (Number(m[1]) * 60 + Number(m[2])) * 1000,
      );
      if (code !== 0 || ms.length !== 2) reject(new Error(`${args.join(' ')} exited ${code}`));
      else resolve({ wall, cpu: ms[0] + ms[1] });
    });
  });
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

for (const [, args] of cases) await time(args); // warm caches
const times = cases.map(() => []);
for (let i = 0; i < runs; i++) {
  for (const [c, [, args]] of cases.entries()) times[c].push(await time(args));
}
server.close();
const round = (v) => Math.round(v * 10) / 10;
console.log(`node ${process.version}, ${runs} runs each, median (min), wall and CPU`);
for (const [c, [name]] of cases.entries()) {
  const wall = times[c].map((t) => t.wall);
  const cpu = times[c].map((t) => t.cpu);
  console.log(
    `${name.padEnd(32)} wall ${String(round(median(wall))).padStart(7)} ms (${round(Math.min(...wall))})` +
      `  cpu ${String(round(median(cpu))).padStart(7)} ms (${round(Math.min(...cpu))})`,
  );
}
