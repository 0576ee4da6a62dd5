/**
 * The monitor against a local endpoint with a known latency schedule and failure windows, on virtual
 * time: the test server advances the clock by each answer's scheduled latency, so the true latency
 * of every probe is known exactly. Checks percentiles against the exact ones, the alert deliveries
 * to a webhook receiver that answers 429 first, the Prometheus exposition through a real parser, and
 * probes.jsonl.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Channel, Metrics, type MonitorResult, serveMetrics } from '@kagg/plugin-monitor';
import { tempDir } from '../../../test/helpers.ts';
import { parseExposition, sampleValue } from './helpers/exposition.ts';
import { exactPercentile, startServer, type TestServer } from './helpers/servers.ts';
import { VirtualClock } from './helpers/virtual-clock.ts';
import { virtualMonitor } from './helpers/virtual-monitor.ts';

const PROBES = 400;
const INTERVAL = 1000;

/** A deterministic latency (ms, to the µs) for probe i: mostly 20–80 ms, a slow tail, a few cold starts. */
function latencyOf(i: number): number {
  const u = ((i * 7919 + 104729) % 1000) / 1000; // a fixed permutation of [0,1)
  if (i % 97 === 0) return 850 + u * 100; // cold starts
  if (u > 0.95) return 200 + u * 300; // slow tail
  return Math.round((20 + u * 60) * 1000) / 1000;
}
/** Failure windows: 10 in a row (must trigger, then resolve) and 2 in a row (below the threshold). */
const failing = (i: number) => (i >= 100 && i < 110) || i === 250 || i === 251;

describe('monitor on a known latency schedule (virtual time)', () => {
  const clock = new VirtualClock();
  const home = tempDir('kagg-monitor-');
  let endpoint: TestServer;
  let receiver: TestServer;
  let result: MonitorResult;
  let metricsText: string;
  const delivered: Array<{ status: string; event: string; key: string }> = [];

  before(async () => {
    endpoint = await startServer((_req, res, _body, i) => {
      clock.advance(latencyOf(i));
      const cold = i % 97 === 0;
      res.writeHead(failing(i) ? 503 : 200, {
        'content-type': 'application/json',
        'x-kagg-cold': cold ? '1' : '0',
        'x-kagg-instance': `inst-${Math.floor(i / 97)}`,
        ...(cold ? { 'x-kagg-init-ms': '800' } : {}),
      });
      res.end(JSON.stringify(failing(i) ? { error: 'overloaded', type: 'Unavailable' } : { label: 'setosa' }));
    });
    receiver = await startServer((_req, res, body, i) => {
      if (i === 0) {
        res.writeHead(429, { 'retry-after': '1' });
        res.end('slow down');
        return;
      }
      const json = JSON.parse(body);
      delivered.push({ status: json.status, event: json.kagg.event, key: json.alerts[0].fingerprint });
      res.writeHead(200);
      res.end('ok');
    });
    const metrics = new Metrics([{ name: 'iris', target: 'local' }], 'steady');
    const monitor = virtualMonitor(
      clock,
      [{ name: 'iris', url: endpoint.url, headers: { 'x-functions-key': 'k-secret' } }],
      {
        id: 'virtual-run',
        home,
        intervalMs: INTERVAL,
        probes: PROBES,
        data: '{"sepal_length": 5.1}',
        conditions: ['[STATUS] == 200', '[BODY].label == setosa'],
        channels: [new Channel({ kind: 'webhook', url: `${receiver.url}hook`, ratePerSecond: 5 })],
        metrics,
      },
    );
    result = await monitor.run();
    const server = await serveMetrics(metrics, '127.0.0.1', 0);
    const { port } = server.address() as AddressInfo;
    const scrape = await fetch(`http://127.0.0.1:${port}/metrics`);
    assert.match(scrape.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    metricsText = await scrape.text();
    server.close();
  });
  after(async () => {
    await endpoint.close();
    await receiver.close();
  });

  test('every tick became one probe, POSTing the payload with the target headers', () => {
    const s = result.endpoints[0];
    assert.equal(s?.probes, PROBES);
    assert.equal(s?.missed, 0);
    assert.equal(endpoint.requests.length, PROBES);
    assert.equal(endpoint.requests[0]?.method, 'POST');
    assert.equal(endpoint.requests[0]?.body, '{"sepal_length": 5.1}');
    assert.equal(endpoint.requests[0]?.headers['x-functions-key'], 'k-secret');
  });

  test('percentiles are within ±max(1 ms, 2%) of the exact ones, with their sample counts', () => {
    const truth = Array.from({ length: PROBES }, (_, i) => latencyOf(i));
    const s = result.endpoints[0];
    assert.ok(s);
    assert.equal(s.latency.n, PROBES);
    for (const [name, p] of [
      ['p50', 50],
      ['p90', 90],
      ['p95', 95],
      ['p99', 99],
      ['max', 100],
    ] as const) {
      const want = exactPercentile(truth, p);
      const got = s.latency[name] as number;
      assert.ok(Math.abs(got - want) <= Math.max(1, 0.02 * want), `${name}: ${got} vs exact ${want}`);
      // on time: latency from the schedule equals latency from sent
      const sched = s.scheduledLatency[name] as number;
      assert.ok(Math.abs(sched - want) <= Math.max(1, 0.02 * want), `scheduled ${name}: ${sched} vs ${want}`);
    }
    const failures = truth.filter((_, i) => failing(i)).length;
    assert.equal(s.ok, PROBES - failures);
    assert.equal(s.availability, (PROBES - failures) / PROBES);
    assert.equal(s.errorRate, failures / PROBES);
    assert.equal(s.statusCodes['503'], failures);
  });

  test('cold starts come from x-kagg-cold, and cold latency is kept apart from warm', () => {
    const s = result.endpoints[0];
    const coldIdx = Array.from({ length: PROBES }, (_, i) => i).filter((i) => i % 97 === 0);
    assert.equal(s?.coldStarts, coldIdx.length);
    assert.equal(s?.cold.n, coldIdx.length);
    assert.equal(s?.warm.n, PROBES - coldIdx.length);
    const coldTruth = coldIdx.map(latencyOf);
    const p50 = exactPercentile(coldTruth, 50);
    assert.ok(Math.abs((s?.cold.p50 as number) - p50) <= Math.max(1, 0.02 * p50));
    assert.ok((s?.warm.max as number) < 850);
  });

  test('exactly one trigger and one resolve reach the receiver, after its 429', () => {
    assert.equal(receiver.requests.length, 3, 'the 429, the retried trigger, the resolve');
    assert.deepEqual(delivered, [
      { status: 'firing', event: 'trigger', key: 'kagg:iris:availability' },
      { status: 'resolved', event: 'resolve', key: 'kagg:iris:availability' },
    ]);
    assert.deepEqual(
      result.deliveries.map((d) => [d.kind, d.ok, d.attempts]),
      [
        ['trigger', true, 2],
        ['resolve', true, 1],
      ],
    );
    assert.equal(result.endpoints[0]?.alertTriggered, false);
    const trigger = JSON.parse(receiver.requests[1]?.body ?? '{}');
    assert.equal(trigger.version, '4');
    assert.equal(trigger.alerts[0].labels.endpoint, 'iris');
    assert.match(trigger.alerts[0].annotations.description, /\[STATUS\] == 200 \(503 == 200\)/);
    assert.ok(!JSON.stringify(receiver.requests).includes('k-secret'), 'the function key never reaches the receiver');
  });

  test('the Prometheus exposition parses with the Prometheus client parser and carries the run', () => {
    const families = parseExposition(metricsText);
    const types = new Map(families.map((f) => [f.name, f.type]));
    assert.equal(types.get('kagg_probe_success'), 'gauge');
    assert.equal(types.get('kagg_probe_http_duration_seconds'), 'gauge');
    assert.equal(types.get('kagg_probe_latency_seconds'), 'histogram');
    assert.equal(types.get('kagg_probes'), 'counter'); // the parser names a counter family without _total
    assert.equal(types.get('kagg_coldstarts'), 'counter');
    const iris = { endpoint: 'iris', target: 'local', mode: 'steady' };
    const probes = (result: string) => sampleValue(families, 'kagg_probes_total', { ...iris, result }) as number;
    assert.equal(probes('success') + probes('failure'), PROBES);
    assert.equal(probes('failure'), 12);
    assert.equal(probes('error'), 0);
    assert.equal(sampleValue(families, 'kagg_probe_latency_seconds_count', iris), PROBES);
    const within100ms = Array.from({ length: PROBES }, (_, i) => latencyOf(i)).filter((l) => l <= 100).length;
    assert.equal(sampleValue(families, 'kagg_probe_latency_seconds_bucket', { ...iris, le: '0.1' }), within100ms);
    assert.equal(sampleValue(families, 'kagg_probe_latency_seconds_bucket', { ...iris, le: '+Inf' }), PROBES);
    assert.equal(sampleValue(families, 'kagg_coldstarts_total', iris), 5);
    assert.equal(sampleValue(families, 'kagg_coldstart_init_seconds_total', iris), 4);
    assert.equal(sampleValue(families, 'kagg_endpoint_up', iris), 1);
    assert.equal(sampleValue(families, 'kagg_probe_success', iris), 1);
    assert.equal(sampleValue(families, 'kagg_probe_http_status_code', iris), 200);
    assert.equal(sampleValue(families, 'kagg_probe_duration_seconds', iris), latencyOf(PROBES - 1) / 1000);
    assert.equal(sampleValue(families, 'kagg_uptime_ratio', { ...iris, window: 'run' }), (PROBES - 12) / PROBES);
    const phases = families
      .find((f) => f.name === 'kagg_probe_http_duration_seconds')
      ?.samples.map((s) => s.labels.phase);
    assert.deepEqual(phases, ['resolve', 'connect', 'tls', 'processing', 'transfer']);
  });

  test('probes.jsonl holds one record per probe with both latencies and the phases', () => {
    const lines = readFileSync(path.join(result.dir, 'probes.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(lines.length, PROBES);
    const r = lines[3];
    assert.equal(r.seq, 3);
    assert.equal(r.scheduledAt, 3 * INTERVAL);
    assert.equal(r.sentAt, 3 * INTERVAL);
    assert.equal(r.latencyMs, latencyOf(3));
    assert.equal(r.phases.ttfbMs + r.phases.transferMs, r.latencyMs);
    assert.equal(r.cold, false);
    assert.equal(r.coldSource, 'header');
    assert.equal(lines[97].cold, true);
    assert.equal(lines[97].initMs, 800);
    assert.equal(lines[100].ok, false);
    assert.deepEqual(lines[100].conditions[0], { expr: '[STATUS] == 200', ok: false, resolved: '503 == 200' });
    assert.ok(!readFileSync(path.join(result.dir, 'probes.jsonl'), 'utf8').includes('k-secret'));
  });
});
