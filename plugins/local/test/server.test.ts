/**
 * The local endpoint under load, at its limits, and while it is replaced or destroyed: outcomes only
 * (statuses, resets, ports, pids), never durations. Each case deploys the local target itself.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { connect, createServer } from 'node:net';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createBundle } from '@kagg/core/bundle';
import { resourceNameOf } from '@kagg/core/naming';
import { convertNotebook, readNotebook } from '@kagg/core/notebook';
import type { DeployContext, Deployment, OperationContext } from '@kagg/plugin-api';
import { type LocalOptions, localTarget } from '@kagg/plugin-local';
import { tempDir } from '@kagg/testkit/temp';

const base = tempDir('kagg-local-server-');
const gates = tempDir('kagg-local-gates-');
const deployed: Deployment[] = [];

/**
 * A notebook answering its VERSION and pid. `{"hold": "x"}` marks the call started (file x.started)
 * and holds it until the file x.release exists; `{"stuck": true}` never returns.
 */
function notebookSource(version: number | string): string {
  return [
    'import os, time',
    `VERSION = ${JSON.stringify(version)}`,
    `GATES = ${JSON.stringify(gates)}`,
    '',
    'def process_request(payload):',
    '    hold = payload.get("hold")',
    '    if hold:',
    '        open(os.path.join(GATES, hold + ".started"), "w").close()',
    '        while not os.path.exists(os.path.join(GATES, hold + ".release")):',
    '            time.sleep(0.01)',
    '    if payload.get("stuck"):',
    '        while True:',
    '            time.sleep(1)',
    '    return {"v": VERSION, "pid": os.getpid()}',
    '',
  ].join('\n');
}

async function bundleOf(name: string, source: string) {
  const nb = JSON.stringify({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: [{ id: 'c', cell_type: 'code', execution_count: null, metadata: {}, outputs: [], source }],
  });
  return createBundle({
    name,
    source: `${name}.ipynb`,
    conversion: convertNotebook(readNotebook(nb, `${name}.ipynb`)),
  });
}

function context(warnings: string[] = []): OperationContext {
  return {
    stateDir: path.join(base, 'state'),
    logDir: path.join(base, 'logs'),
    progress() {},
    log: { info() {}, warn: (m) => warnings.push(m), debug() {} },
    signal: new AbortController().signal,
  };
}

async function deploy(
  name: string,
  source: string,
  options: LocalOptions = {},
  previous?: Deployment,
  warnings: string[] = [],
) {
  const ctx: DeployContext<LocalOptions> = {
    ...context(warnings),
    name,
    resourceName: resourceNameOf(name, localTarget.naming),
    options: { startTimeout: 60, ...options },
    env: {},
    ...(previous ? { previous } : {}),
  };
  const d = await localTarget.deploy(await localTarget.package(await bundleOf(name, source), ctx.options), ctx);
  deployed.push(d);
  return d;
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One POST on its own connection (no keep-alive), as the load clients of the issue did. */
function post(url: string, payload: unknown): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json' } });
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(payload));
  });
}

async function until(check: () => boolean | Promise<boolean>, what: string) {
  for (let i = 0; i < 2000; i++) {
    if (await check()) return;
    await sleep(20);
  }
  assert.fail(`never happened: ${what}`);
}

const started = (hold: string) => existsSync(path.join(gates, `${hold}.started`));
const release = (hold: string) => writeFileSync(path.join(gates, `${hold}.release`), '');

function alive(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

after(async () => {
  for (const d of deployed) await localTarget.destroy(d, context()).catch(() => {});
  for (const name of readdirSync(gates)) release(name.replace(/\.(started|release)$/, ''));
});

describe('local endpoint: load and limits', () => {
  it('answers overload with 503 and Retry-After, never a reset, once the queue is full', async () => {
    const d = await deploy('overload', notebookSource(1), { maxConcurrency: 1, maxQueue: 1 });
    // Six calls held by the notebook: one runs, one waits its turn, four are refused at once.
    const calls = Array.from({ length: 6 }, () => post(d.url, { hold: 'overload' }).catch((e: Error) => e));
    await until(() => started('overload'), 'the first call runs');
    const settled: Array<Answer | Error> = [];
    for (const c of calls) c.then((r) => settled.push(r));
    await until(() => settled.length === 4, 'four calls answered while two are held');
    for (const r of settled) {
      assert.ok(!(r instanceof Error), `no connection error: ${r instanceof Error ? r.message : ''}`);
      assert.equal(r.status, 503);
      assert.equal(r.headers['retry-after'], '1');
      assert.equal(JSON.parse(r.body).type, 'Overloaded');
    }
    release('overload');
    const all = await Promise.all(calls);
    assert.deepEqual(
      all.map((r) => (r instanceof Error ? r.message : r.status)).sort(),
      [200, 200, 503, 503, 503, 503],
    );
  });

  it('answers 413 from the headers of an oversized body, before reading it', async () => {
    const d = await deploy('limits', notebookSource(1), { timeout: 1 });
    const port = Number(new URL(d.url).port);
    // Headers announcing 7 MB and not one byte of body: a server that read the body would never answer.
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port });
      let text = '';
      socket.on('data', (c) => {
        text += c;
      });
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
      socket.write(
        `POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${7 * 1024 * 1024}\r\n\r\n`,
      );
    });
    assert.match(reply, /^HTTP\/1\.1 413 /);
    assert.equal(JSON.parse(reply.slice(reply.indexOf('\r\n\r\n') + 4)).type, 'PayloadTooLarge');
    // The same body sent whole is answered 413 too, and the response is not lost to a reset.
    const whole = await new Promise<number>((resolve, reject) => {
      const req = http.request(d.url, { method: 'POST', agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end(Buffer.alloc(7 * 1024 * 1024, 'a'));
    });
    assert.equal(whole, 413);
    assert.equal((await post(d.url, {})).status, 200, 'a body within the limit is served');
  });

  it('answers 504 at --timeout, serves the next call, and recycles a process stuck in a call', async () => {
    const d = await deploy('timeout', notebookSource(1), { timeout: 1 });
    const first = await post(d.url, {});
    const timedOut = await post(d.url, { stuck: true });
    assert.equal(timedOut.status, 504);
    assert.equal(JSON.parse(timedOut.body).type, 'Timeout');
    const next = await post(d.url, {});
    assert.equal(next.status, 200, next.body);
    // The stuck call never ends: the process re-executes itself (same pid, same port, a new
    // instance), and every call meanwhile is answered.
    await until(async () => {
      const r = await post(d.url, {});
      assert.equal(r.status, 200, r.body);
      return r.headers['x-kagg-instance'] !== first.headers['x-kagg-instance'];
    }, 'a new instance after the stuck call');
    assert.equal(JSON.parse((await post(d.url, {})).body).pid, d.providerIds.pid);
  });
});

describe('local endpoint: redeploy and destroy', () => {
  it('a changed redeploy under a client loop keeps the URL and fails no request; a failing one leaves the old serving', async () => {
    const one = await deploy('rolling', notebookSource(1));
    let stop = false;
    const seen = new Set<number | string>();
    const failures: string[] = [];
    let sent = 0;
    const loop = async () => {
      while (!stop) {
        sent++;
        try {
          const r = await post(one.url, {});
          if (r.status === 200) seen.add(JSON.parse(r.body).v);
          else failures.push(`${r.status} ${r.body}`);
        } catch (e) {
          failures.push((e as Error).message);
        }
      }
    };
    const clients = Array.from({ length: 8 }, loop);
    await until(() => seen.has(1), 'version 1 answers');
    const two = await deploy('rolling', notebookSource(2), {}, one);
    assert.equal(two.url, one.url, 'the same URL');
    await until(() => seen.has(2), 'version 2 answers');
    assert.equal(alive(Number(one.providerIds.pid)), false, 'the old version exited');
    await assert.rejects(
      deploy('rolling', `${notebookSource(3)}raise RuntimeError("broken at start-up")\n`, {}, two),
      /broken at start-up[\s\S]*previous version keeps serving/,
    );
    const before = sent;
    await until(() => sent > before + 20, 'calls after the failed deploy');
    stop = true;
    await Promise.all(clients);
    assert.deepEqual(failures, [], 'no request failed');
    assert.equal(JSON.parse((await post(two.url, {})).body).v, 2, 'the old version still serves');
    assert.ok(alive(Number(two.providerIds.pid)));
  });

  it('keeps the port of a server that stopped running; moves, saying so, only when the port is taken', async () => {
    const kill = async (d: Deployment) => {
      process.kill(Number(d.providerIds.pid), 'SIGKILL');
      await until(() => !alive(Number(d.providerIds.pid)), 'the server is gone');
    };
    const one = await deploy('stable', notebookSource(1));
    await kill(one);
    const two = await deploy('stable', notebookSource(2), {}, one);
    assert.equal(two.url, one.url);
    await kill(two);
    const port = Number(new URL(two.url).port);
    // The killed server's socket can outlive its process by a moment: squat once the port binds.
    await until(
      () =>
        new Promise<boolean>((resolve) => {
          const probe = createServer();
          probe.once('error', () => resolve(false));
          probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
        }),
      'the killed server releases its port',
    );
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));
    try {
      const warnings: string[] = [];
      const three = await deploy('stable', notebookSource(3), {}, two, warnings);
      assert.notEqual(three.url, two.url);
      assert.deepEqual(warnings, [`port ${port} is taken: the endpoint moved to port ${new URL(three.url).port}`]);
      assert.equal(JSON.parse((await post(three.url, {})).body).v, 3);
      await assert.rejects(deploy('pinned', notebookSource(1), { port }), /port \d+ is taken/);
    } finally {
      squatter.close();
    }
  });

  it('destroy stops accepting, lets the calls in flight finish, then stops', async () => {
    const d = await deploy('draining', notebookSource(1));
    const holds = ['draining0', 'draining1', 'draining2'];
    const calls = holds.map((hold) => post(d.url, { hold }).catch((e: Error) => e));
    await until(() => holds.every(started), 'the calls run');
    const destroyed = localTarget.destroy(d, context());
    // Refused connections show that it stopped accepting; only then are the held calls let go.
    await until(
      () =>
        new Promise<boolean>((resolve) => {
          const s = connect({ host: '127.0.0.1', port: Number(new URL(d.url).port) });
          s.on('connect', () => {
            s.destroy();
            resolve(false);
          });
          s.on('error', () => resolve(true));
        }),
      'new connections refused',
    );
    for (const hold of holds) release(hold);
    const answers = await Promise.all(calls);
    await destroyed;
    assert.deepEqual(
      answers.map((r) => (r instanceof Error ? r.message : r.status)),
      [200, 200, 200],
    );
    assert.equal(alive(Number(d.providerIds.pid)), false);
  });
});
