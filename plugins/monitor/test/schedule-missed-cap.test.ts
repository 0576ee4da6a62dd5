/**
 * The schedule and its limits on virtual time: ticks land on start + offset + k·interval however late
 * the clock wakes the scheduler, a tick due while the endpoint's previous probe still runs is missed
 * (not queued), the in-flight cap refuses probes beyond it, and a dead endpoint is data.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Clock, loadRun, runSchedule, type Tick } from '@kagg/plugin-monitor';
import { deadPort, startServer } from './helpers/servers.ts';
import { VirtualClock } from './helpers/virtual-clock.ts';
import { virtualMonitor } from './helpers/virtual-monitor.ts';

describe('schedule', () => {
  test('ticks are anchored to the start: a clock that wakes late never shifts later ticks', async () => {
    let t = 0;
    // each wake-up comes 0–7 ms late and then costs 3 ms of work; a timer chained from the previous
    // tick would fall behind by ~6.5 ms a tick (1.3 s over 200 ticks)
    const lateClock: Clock = {
      now: () => t,
      wallNow: () => t,
      sleepUntil: async (at) => {
        await Promise.resolve();
        t = Math.max(t, at) + ((at * 7) % 8) + 3;
      },
    };
    const lateness: number[] = [];
    const ticks: Tick[] = [];
    await runSchedule({
      clock: lateClock,
      start: 0,
      intervalMs: 20,
      durationMs: 4000,
      endpoints: 1,
      signal: new AbortController().signal,
      onTick: (tick) => {
        ticks.push(tick);
        lateness.push(t - tick.at);
      },
    });
    assert.equal(ticks.length, 200);
    for (const tick of ticks) assert.equal(tick.at, tick.seq * 20);
    assert.ok(Math.max(...lateness) <= 10, `lateness stays per-tick: ${Math.max(...lateness)}`);
  });

  test('endpoints are spread over the interval, not fired as one burst', async () => {
    const clock = new VirtualClock();
    const ticks: Tick[] = [];
    await runSchedule({
      clock,
      start: 0,
      intervalMs: 100,
      durationMs: 300,
      endpoints: 4,
      signal: new AbortController().signal,
      onTick: (tick) => ticks.push(tick),
    });
    assert.deepEqual(
      ticks.filter((t) => t.seq === 0).map((t) => t.at),
      [0, 25, 50, 75],
    );
    assert.equal(ticks.length, 12);
  });

  test('aborting stops the schedule at once', async () => {
    const clock = new VirtualClock();
    const controller = new AbortController();
    const ticks: Tick[] = [];
    await runSchedule({
      clock,
      start: 0,
      intervalMs: 1000,
      durationMs: 1_000_000,
      endpoints: 1,
      signal: controller.signal,
      onTick: (tick) => {
        ticks.push(tick);
        if (tick.seq === 4) controller.abort();
      },
    });
    assert.equal(ticks.length, 5);
  });
});

describe('missed ticks and the in-flight cap', () => {
  test('a probe slower than the interval makes the next ticks missed', async () => {
    const clock = new VirtualClock();
    // probe 0 takes 250 ms at a 100 ms interval: ticks 1 and 2 come due while it runs
    const server = await startServer((_req, res, _b, i) => {
      clock.advance(i === 0 ? 250 : 10);
      res.end('ok');
    });
    try {
      const result = await virtualMonitor(clock, [{ name: 'e0', url: server.url }]).run();
      const s = result.endpoints[0];
      assert.equal(s?.missed, 2);
      assert.equal(s?.probes, 8);
      assert.equal(server.requests.length, 8);
      assert.equal(s?.latency.max, 250);
    } finally {
      await server.close();
    }
  });

  test('beyond the in-flight cap, probes are refused and counted, not queued', async () => {
    const clock = new VirtualClock();
    // answers take 50 ms of real time while virtual time runs on: 4 endpoints spread over a 100 ms
    // interval all come due while the first probes are still in flight
    const server = await startServer((_req, res) => {
      setTimeout(() => res.end('ok'), 50);
    });
    try {
      const endpoints = [1, 2, 3, 4].map((n) => ({ name: `e${n}`, url: `${server.url}?e=${n}` }));
      const monitor = virtualMonitor(clock, endpoints, { maxInFlight: 2, probes: 5, intervalMs: 100 });
      clock.busy = () => false; // let virtual time run on while probes are in flight
      const result = await monitor.run();
      const sent = result.endpoints.reduce((n, e) => n + e.probes, 0);
      const missed = result.endpoints.reduce((n, e) => n + e.missed, 0);
      assert.equal(sent + missed, 20);
      assert.ok(missed > 0, 'some ticks met a full cap');
      assert.equal(server.requests.length, sent);
    } finally {
      await server.close();
    }
  });

  test('a dead endpoint is data: failed probes with the reason, no latency, the alert triggered', async () => {
    const clock = new VirtualClock();
    const port = await deadPort();
    const result = await virtualMonitor(clock, [{ name: 'dead', url: `http://127.0.0.1:${port}/` }]).run();
    const s = result.endpoints[0];
    assert.equal(s?.probes, 10);
    assert.equal(s?.errors, 10);
    assert.equal(s?.ok, 0);
    assert.equal(s?.availability, 0);
    assert.equal(s?.latency.n, 0);
    assert.equal(s?.latency.p50, null);
    assert.equal(s?.statusCodes.error, 10);
    assert.equal(result.endpoints[0]?.alertTriggered, true);
  });

  test('a signer that fails (expired credentials) makes failed probes, not a crash', async () => {
    const clock = new VirtualClock();
    const server = await startServer((_req, res) => res.end('ok'));
    try {
      const sign = async () => {
        throw new Error('the security token included in the request is expired');
      };
      const result = await virtualMonitor(clock, [{ name: 'private', url: server.url, sign }]).run();
      const s = result.endpoints[0];
      assert.equal(s?.probes, 10);
      assert.equal(s?.errors, 10);
      assert.equal(server.requests.length, 0, 'nothing unsigned was sent');
      const { lines } = await loadRun(result.dir);
      assert.match(String((lines[0] as { error: string }).error), /^signing failed: the security token/);
    } finally {
      await server.close();
    }
  });
});
