/**
 * The small state machines and renderers around the probes: the alert state (thresholds, no alert
 * below them, resolve, reminders, dedup key), delivery to Slack and to a receiver that keeps failing,
 * the cold-start heuristic, and the live status on a terminal and in a pipe.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AlertState, Channel, detectCold, LiveStatus, type ProbeRecord } from '@kagg/plugin-monitor';
import { startServer } from './helpers/servers.ts';

const verdict = (ok: boolean, at: number) => ({
  ok,
  at,
  ts: new Date(Date.UTC(2026, 0, 1) + at).toISOString(),
  reason: ok ? '' : '[STATUS] == 200 (503 == 200)',
  conditions: [],
});

function feed(state: AlertState, pattern: string, step = 1000) {
  return [...pattern].map((c, i) => state.observe(verdict(c === '.', i * step))?.kind ?? null);
}

describe('alert state', () => {
  test('3 failures in a row trigger, 2 successes resolve; shorter streaks never alert', () => {
    const state = new AlertState('iris', 'aws', { failureThreshold: 3, successThreshold: 2, reminderMs: 0 });
    //                      . ok, x failed
    const events = feed(state, '..xx.xx.xxxxx.x..x..');
    assert.deepEqual(events.map((e, i) => (e ? `${i}:${e}` : null)).filter(Boolean), ['10:trigger', '16:resolve']);
    assert.equal(state.triggered, false);
  });

  test('the trigger names when the failing streak began; the resolve carries both ends and the same dedup key', () => {
    const state = new AlertState('iris', 'aws', { failureThreshold: 2, successThreshold: 1, reminderMs: 0 });
    state.observe(verdict(false, 5000));
    const trigger = state.observe(verdict(false, 6000));
    const resolve = state.observe(verdict(true, 7000));
    assert.equal(trigger?.startsAt, '2026-01-01T00:00:05.000Z');
    assert.equal(trigger?.failures, 2);
    assert.equal(resolve?.startsAt, trigger?.startsAt);
    assert.equal(resolve?.endsAt, '2026-01-01T00:00:07.000Z');
    assert.equal(trigger?.dedupKey, 'kagg:iris:availability');
    assert.equal(resolve?.dedupKey, trigger?.dedupKey);
  });

  test('reminders repeat a triggered alert no more often than the reminder interval', () => {
    const state = new AlertState('iris', 'aws', { failureThreshold: 1, successThreshold: 1, reminderMs: 300_000 });
    const events = feed(state, 'x'.repeat(16), 60_000); // a failure a minute for 16 minutes
    assert.deepEqual(events.map((e, i) => (e ? `${i}:${e}` : null)).filter(Boolean), [
      '0:trigger',
      '5:reminder',
      '10:reminder',
      '15:reminder',
    ]);
  });
});

describe('delivery', () => {
  test('Slack gets a red attachment for a trigger and a green one for the resolve', async () => {
    const slack = await startServer((_req, res) => res.end('ok'));
    try {
      const channel = new Channel({ kind: 'slack', url: `${slack.url}services/T/B/secret`, ratePerSecond: 50 });
      const state = new AlertState('iris', 'aws', { failureThreshold: 1, successThreshold: 1, reminderMs: 0 });
      for (const ok of [false, true]) {
        const e = state.observe({
          ...verdict(ok, 0),
          conditions: [{ expr: '[STATUS] == 200', ok, resolved: ok ? '200 == 200' : '503 == 200' }],
        });
        if (e) channel.send(e, 'kagg');
      }
      await channel.flush();
      const bodies = slack.requests.map((r) => JSON.parse(r.body));
      assert.deepEqual(
        bodies.map((b) => b.attachments[0].color),
        ['#DD0000', '#36A64F'],
      );
      assert.match(bodies[0].text, /iris is failing/);
      assert.match(bodies[0].attachments[0].fields[0].value, /:x: \[STATUS\] == 200 \(503 == 200\)/);
      assert.match(bodies[1].text, /iris is back up/);
    } finally {
      await slack.close();
    }
  });

  test('a receiver that keeps failing is reported after the retries, never thrown, and its secret path is not shown', async () => {
    const down = await startServer((_req, res) => {
      res.writeHead(503);
      res.end();
    });
    try {
      const seen: string[] = [];
      const channel = new Channel({
        kind: 'webhook',
        url: `${down.url}hook/secret-token`,
        ratePerSecond: 50,
        retries: 2,
        onDelivery: (d) => seen.push(`${d.kind}:${d.ok}:${d.status}:${d.attempts}`),
      });
      const state = new AlertState('iris', 'aws', { failureThreshold: 1, successThreshold: 1, reminderMs: 0 });
      const e = state.observe(verdict(false, 0));
      assert.ok(e);
      channel.send(e, 'kagg');
      await channel.flush();
      assert.deepEqual(seen, ['trigger:false:503:3']);
      assert.equal(down.requests.length, 3);
      assert.ok(!JSON.stringify(channel.deliveries).includes('secret-token'));
    } finally {
      await down.close();
    }
  });
});

describe('cold-start heuristic (no x-kagg-cold header)', () => {
  const base = { headers: {}, coldIdleMs: 600_000 };
  test('the header wins when present', () => {
    assert.deepEqual(
      detectCold({
        ...base,
        headers: { 'x-kagg-cold': '1', 'x-kagg-init-ms': '812', 'x-kagg-instance': 'i-1' },
        latencyMs: 5,
        idleMs: 10,
        warmMedianMs: 100,
      }),
      { cold: true, source: 'header', initMs: 812, instanceId: 'i-1' },
    );
  });
  test('a slow answer after a long idle gap is cold; a fast one is not', () => {
    assert.equal(detectCold({ ...base, latencyMs: 900, idleMs: 700_000, warmMedianMs: 80 }).cold, true);
    assert.equal(detectCold({ ...base, latencyMs: 120, idleMs: 700_000, warmMedianMs: 80 }).cold, false);
  });
  test('without an idle gap it is warm; without a warm median it is unknown', () => {
    assert.deepEqual(detectCold({ ...base, latencyMs: 900, idleMs: 10_000, warmMedianMs: 80 }).cold, false);
    assert.deepEqual(detectCold({ ...base, latencyMs: 900, idleMs: null, warmMedianMs: null }), {
      cold: null,
      source: null,
      initMs: null,
      instanceId: null,
    });
  });
});

describe('live status', () => {
  const record: ProbeRecord = {
    ts: '2026-01-01T00:00:00.000Z',
    endpoint: 'iris',
    target: 'aws',
    mode: 'steady',
    seq: 4,
    scheduledAt: 0,
    sentAt: 0,
    status: 503,
    ok: false,
    error: null,
    latencyMs: 12.5,
    scheduledLatencyMs: 12.5,
    phases: null,
    bytesIn: 2,
    cold: true,
    coldSource: 'header',
    initMs: null,
    instanceId: null,
    conditions: [{ expr: '[STATUS] == 200', ok: false, resolved: '503 == 200' }],
  };
  const summary = {
    endpoint: 'iris',
    target: 'aws',
    probes: 5,
    ok: 4,
    failed: 1,
    errors: 0,
    missed: 0,
    availability: 0.8,
    errorRate: 0.2,
    latency: { n: 5, p50: 10, p90: 12, p95: 12.5, p99: 12.5, max: 12.5 },
    scheduledLatency: { n: 5, p50: 10, p90: 12, p95: 12.5, p99: 12.5, max: 12.5 },
    warm: { n: 4, p50: 10, p90: 11, p95: 11, p99: 11, max: 11 },
    cold: { n: 1, p50: 12.5, p90: 12.5, p95: 12.5, p99: 12.5, max: 12.5 },
    coldStarts: 1,
    statusCodes: { '200': 4, '503': 1 },
  };

  test('piped: one plain line per probe', () => {
    const out: string[] = [];
    const status = new LiveStatus({ isTTY: false, write: (t: string) => out.push(t) }, Date.now() + 60_000);
    status.record(record, summary);
    assert.deepEqual(out, ['2026-01-01T00:00:00.000Z iris #4 503 12.5 ms FAIL cold [[STATUS] == 200: 503 == 200]\n']);
  });

  test('on a terminal: one line rewritten in place, cleared before messages and at the end', () => {
    const out: string[] = [];
    const status = new LiveStatus({ isTTY: true, write: (t: string) => out.push(t) }, Date.now() + 60_000);
    status.record(record, summary);
    assert.equal(out.length, 1);
    assert.match(
      out[0] as string,
      /^\r\x1b\[K1 endpoint\(s\) · 5 probes · 80\.0% ok · worst p95 12\.5 ms · 1 cold · \d+s left/,
    );
    assert.ok(!(out[0] as string).includes('\n'));
    status.message('ALERT iris');
    assert.deepEqual(out.slice(1, 3), ['\r\x1b[K', 'ALERT iris\n']);
    status.stop();
    assert.equal(out.at(-1), '\r\x1b[K');
  });

  test('a terminal that cannot redraw (CI, TERM=dumb; the command asks canRedraw): plain lines', () => {
    const out: string[] = [];
    const status = new LiveStatus({ isTTY: true, write: (t: string) => out.push(t) }, Date.now() + 60_000, false);
    status.record(record, summary);
    status.message('ALERT iris');
    status.stop();
    assert.deepEqual(out, [
      '2026-01-01T00:00:00.000Z iris #4 503 12.5 ms FAIL cold [[STATUS] == 200: 503 == 200]\n',
      'ALERT iris\n',
    ]);
  });
});
