/**
 * `kagg monitor` and `kagg monitor report` through bin/run.js, as a user runs them: bad input, a
 * piped run, Prometheus on --prometheus, Ctrl-C, kill -9, and a registry endpoint of the local
 * target reached through its invocation(). Endpoints are servers this file starts on 127.0.0.1.
 * No assertion depends on how fast anything ran.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BIN, cleanup, FIXTURES, isolatedEnv, kagg, kaggJson, ROOT, tempDir } from '../../../test/helpers.ts';
import { parseExposition, sampleValue } from './helpers/exposition.ts';
import { deadPort, startServer, type TestServer } from './helpers/servers.ts';

interface Summary {
  endpoint: string;
  probes: number;
  ok: number;
  errors: number;
  missed: number;
  coldStarts: number;
  alertTriggered?: boolean;
  latency: { n: number; p50: number | null };
}
interface RunJson {
  run: string;
  dir: string;
  stoppedBy: string;
  endpoints: Summary[];
  report?: string;
}

let server: TestServer;
before(async () => {
  server = await startServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"label": "setosa"}');
  });
});
after(() => server.close());

/** The probe records of a probes.jsonl (missed ticks left out). */
function probeLines(file: string): Array<Record<string, unknown>> {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l))
    .filter((r) => !r.missed);
}

/** Starts `kagg monitor ...` in the background; resolves `ready` once `probes.jsonl` has `lines` lines. */
function background(args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [BIN, 'monitor', ...args], {
    env,
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  const until = async (ok: () => boolean, what: string) => {
    for (let i = 0; i < 600 && !ok(); i++) await new Promise((r) => setTimeout(r, 50));
    if (!ok()) throw new Error(`timed out waiting for ${what}:\n${stderr}`);
  };
  const runDir = () => /Monitor run (\S+) \(records: (\S+)\)/.exec(stderr)?.[2];
  const lines = () => {
    const file = runDir();
    try {
      return file && existsSync(file) ? probeLines(file).length : 0;
    } catch {
      return 0; // a line being written as we read
    }
  };
  return {
    child,
    exited,
    out: () => ({ stdout, stderr }),
    lines,
    recordsFile: () => runDir() as string,
    waitForLines: (n: number) => until(() => lines() >= n, `${n} probes`),
    waitFor: (re: RegExp) => until(() => re.test(stderr), String(re)),
  };
}

describe('bad input: a clear error naming the input, the right exit code, nothing written', () => {
  const home = tempDir();
  const env = isolatedEnv(home);
  after(() => cleanup(home));

  const cases: Array<[string, string[], number, RegExp]> = [
    ['unknown endpoint', ['nope'], 1, /no endpoint named "nope"/],
    [
      'bad condition',
      ['SERVER', '--condition', '[STATUS] = 200'],
      2,
      /condition "\[STATUS\] = 200": unknown operator "="/,
    ],
    ['bad duration', ['SERVER', '--duration', '10x'], 2, /--duration "10x" is not a duration/],
    ['bad interval', ['SERVER', '--interval', 'often'], 2, /--interval "often" is not a duration/],
    ['bad payload', ['SERVER', '--data', '{a:1}'], 2, /--data is not valid JSON/],
    ['bad webhook', ['SERVER', '--webhook', 'not a url'], 2, /--webhook "not a url" is not a URL/],
    ['bad listen address', ['SERVER', '--prometheus', 'localhost'], 2, /--prometheus "localhost" is not HOST:PORT/],
    ['no endpoint', [], 2, /Missing 1 required arg|endpoint/i],
  ];
  for (const [name, args, code, message] of cases) {
    test(name, async () => {
      // SERVER: the test server's URL, known once before() ran
      const real = args.map((a) => (a === 'SERVER' ? server.url : a));
      const run = await kagg(['monitor', ...real, ...(real.includes('--duration') ? [] : ['--duration', '1s'])], env);
      assert.equal(run.code, code, run.stderr);
      assert.match(run.stderr, message);
      assert.equal(existsSync(path.join(home, 'monitor')), false, 'no run folder for a refused run');
    });
  }

  test('an unreachable webhook is refused before the first probe', async () => {
    const port = await deadPort();
    const run = await kaggJson<{ error: { code: string; message: string } }>(
      ['monitor', server.url, '--duration', '1s', '--webhook', `http://127.0.0.1:${port}/hook`],
      env,
    );
    assert.equal(run.code, 1);
    assert.equal(run.json.error.code, 'WEBHOOK_UNREACHABLE');
    assert.match(run.json.error.message, new RegExp(`--webhook http://127.0.0.1:${port} is unreachable: ECONNREFUSED`));
    assert.equal(existsSync(path.join(home, 'monitor')), false);
  });

  test('report of an unknown run', async () => {
    const run = await kagg(['monitor', 'report', 'nope'], env);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /no monitor run "nope"/);
  });
});

describe('a run, piped', () => {
  const home = tempDir();
  const env = isolatedEnv(home);
  after(() => cleanup(home));
  const report = path.join(home, 'out', 'report.html');

  test('prints one line per probe on stderr and the summary table on stdout; the report reads the same records', async () => {
    const run = await kagg(
      [
        'monitor',
        server.url,
        '--interval',
        '50ms',
        '--duration',
        '1s',
        '-c',
        '[BODY].label == setosa',
        '--report',
        report,
      ],
      env,
    );
    assert.equal(run.code, 0, run.stderr);
    // a loaded machine may skip a tick (counted as missed): probes + missed is the schedule
    const shown = await kaggJson<{ complete: boolean; endpoints: Summary[] }>(['monitor', 'report', 'latest'], env);
    const s = shown.json.endpoints[0] as Summary;
    assert.equal(s.probes + s.missed, 20);
    assert.equal(s.ok, s.probes);
    const okLines = run.stderr.split('\n').filter((l) => / #\d+ 200 [\d.]+ ms ok$/.test(l));
    assert.equal(okLines.length, s.probes);
    assert.match(run.stdout, /^ENDPOINT\s+N\s+OK\s+AVAIL/);
    assert.match(
      run.stdout,
      new RegExp(`${server.url.replace(/[/.]/g, '\\$&')}\\s+${s.probes}\\s+${s.probes}\\s+100%`),
    );
    assert.ok(readFileSync(report, 'utf8').includes('kagg monitor report'));
    assert.equal(shown.code, 0);
    assert.equal(shown.json.complete, true);
    assert.equal(s.latency.n, s.probes);
  });

  test('--json prints the summary object only', async () => {
    const run = await kaggJson<RunJson>(['monitor', server.url, '--interval', '100ms', '--duration', '500ms'], env);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.json.stoppedBy, 'duration');
    const s = run.json.endpoints[0] as Summary;
    assert.equal(s.probes + s.missed, 5);
    assert.equal(run.stderr, '');
  });

  test('a dead endpoint is data: the run completes, failures and the alert are in the summary, exit 1', async () => {
    const port = await deadPort();
    const run = await kaggJson<RunJson>(
      // One failing probe triggers: under load only one or two of the ten may get their turn.
      ['monitor', `http://127.0.0.1:${port}/`, '--interval', '50ms', '--duration', '500ms', '--failure-threshold', '1'],
      env,
    );
    assert.equal(run.code, 1, run.stderr);
    const s = run.json.endpoints[0] as Summary;
    assert.equal(s.probes + s.missed, 10);
    assert.ok(s.probes > 0);
    assert.equal(s.errors, s.probes);
    assert.equal(run.json.endpoints[0]?.alertTriggered, true);
  });
});

describe('while running', () => {
  const home = tempDir();
  const env = isolatedEnv(home);
  after(() => cleanup(home));

  test('--prometheus serves metrics that the Prometheus parser reads', async () => {
    const bg = background([server.url, '--interval', '20ms', '--duration', '1m', '--prometheus', '127.0.0.1:0'], env);
    await bg.waitFor(/Prometheus metrics on (http:\/\/127\.0\.0\.1:\d+\/metrics)/);
    await bg.waitForLines(5);
    const url = /Prometheus metrics on (\S+)/.exec(bg.out().stderr)?.[1] as string;
    const families = parseExposition(await (await fetch(url)).text());
    const labels = { endpoint: server.url, target: 'url', mode: 'steady' };
    assert.ok((sampleValue(families, 'kagg_probes_total', { ...labels, result: 'success' }) as number) >= 5);
    assert.equal(sampleValue(families, 'kagg_probe_success', labels), 1);
    bg.child.kill('SIGINT');
    assert.equal((await bg.exited).code, 130);
  });

  test('Ctrl-C stops the run, writes the summary and exits 130', async () => {
    const bg = background([server.url, '--interval', '20ms', '--duration', '1h'], env);
    await bg.waitForLines(5);
    bg.child.kill('SIGINT');
    const { code } = await bg.exited;
    assert.equal(code, 130, bg.out().stderr);
    assert.match(bg.out().stdout, /^ENDPOINT/);
    const meta = JSON.parse(readFileSync(path.join(path.dirname(bg.recordsFile()), 'run.json'), 'utf8'));
    assert.equal(meta.stoppedBy, 'interrupt');
    const lines = probeLines(bg.recordsFile()).length;
    const shown = await kaggJson<{ run: string; endpoints: Summary[] }>(['monitor', 'report', meta.id], env);
    assert.equal(shown.json.endpoints[0]?.probes, lines);
  });

  test('kill -9 keeps every probe up to the last one, and the report says the run did not end', async () => {
    const bg = background([server.url, '--interval', '20ms', '--duration', '1h'], env);
    await bg.waitForLines(10);
    bg.child.kill('SIGKILL');
    const { signal } = await bg.exited;
    assert.equal(signal, 'SIGKILL');
    const lines = probeLines(bg.recordsFile()); // parses every line: none is torn
    assert.ok(lines.length >= 10);
    const dir = path.dirname(bg.recordsFile());
    const shown = await kaggJson<{ complete: boolean; endpoints: Summary[] }>(['monitor', 'report', dir], env);
    assert.equal(shown.json.complete, false);
    assert.equal(shown.json.endpoints[0]?.probes, lines.length);
    const text = await kagg(['monitor', 'report', dir], env);
    assert.match(text.stderr, /did not end normally/);
  });
});

describe('a registry endpoint of the local target, through its invocation()', () => {
  const home = tempDir();
  const env = isolatedEnv(home);
  const work = tempDir('kagg-nb-');
  after(() => cleanup(home));

  test('probes POST the payload to the notebook; the first answer is a cold start by x-kagg-cold', async () => {
    const notebook = path.join(work, 'adder.ipynb');
    copyFileSync(path.join(FIXTURES, 'pm-basic.ipynb'), notebook);
    const deployed = await kagg(['deploy', notebook], env);
    assert.equal(deployed.code, 0, deployed.stderr);
    const run = await kaggJson<RunJson>(
      [
        'monitor',
        'adder',
        '--data',
        '{"a": 2, "b": 40}',
        '-c',
        '[BODY].sum == 42',
        '--interval',
        '100ms',
        '--duration',
        '1s',
      ],
      env,
    );
    assert.equal(run.code, 0, run.stderr);
    const s = run.json.endpoints[0];
    assert.equal(s?.endpoint, 'adder');
    assert.equal(s?.ok, s?.probes);
    assert.ok((s?.probes ?? 0) >= 2, `${s?.probes} probes`);
    const records = probeLines(path.join(run.json.dir, 'probes.jsonl'));
    assert.equal(records[0].target, 'local');
    assert.equal(records[0].cold, true);
    assert.equal(records[0].coldSource, 'header');
    assert.equal(typeof records[0].instanceId, 'string');
    assert.ok(records.slice(1).every((r) => r.cold === false));
    assert.equal(s?.coldStarts, 1);
  });
});
