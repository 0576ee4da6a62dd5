/**
 * Prometheus text exposition (format 0.0.4) of a running monitor, with blackbox-exporter's vocabulary
 * under a `kagg_` prefix: last-probe gauges (success, duration, status code, phase durations), a
 * latency histogram with OpenTelemetry's advised buckets plus 15/30/60 s for cold notebooks, counters
 * of probes by result and of cold starts, and the alert state. Labels: endpoint, target, mode only.
 */
import http from 'node:http';
import { KaggError, usageError } from '@kagg/core/errors';
import type { ProbeRecord } from './record.js';

export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 15, 30, 60];

interface Series {
  labels: string;
  last: ProbeRecord | null;
  buckets: number[];
  sum: number;
  count: number;
  results: Record<'success' | 'failure' | 'error' | 'missed', number>;
  coldStarts: number;
  coldInitSum: number;
  up: number;
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function num(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  return String(v);
}

export class Metrics {
  private readonly series = new Map<string, Series>();

  constructor(endpoints: Array<{ name: string; target: string }>, mode: string) {
    for (const e of endpoints) {
      this.series.set(e.name, {
        labels: `endpoint="${escapeLabel(e.name)}",target="${escapeLabel(e.target)}",mode="${escapeLabel(mode)}"`,
        last: null,
        buckets: LATENCY_BUCKETS.map(() => 0),
        sum: 0,
        count: 0,
        results: { success: 0, failure: 0, error: 0, missed: 0 },
        coldStarts: 0,
        coldInitSum: 0,
        up: 1,
      });
    }
  }

  observe(r: ProbeRecord): void {
    const s = this.series.get(r.endpoint);
    if (!s) return;
    s.last = r;
    s.results[r.status === null ? 'error' : r.ok ? 'success' : 'failure']++;
    if (r.cold) {
      s.coldStarts++;
      if (r.initMs !== null) s.coldInitSum += r.initMs / 1000;
    }
    if (r.latencyMs === null) return;
    const seconds = r.latencyMs / 1000;
    s.sum += seconds;
    s.count++;
    LATENCY_BUCKETS.forEach((le, i) => {
      if (seconds <= le) s.buckets[i] = (s.buckets[i] as number) + 1;
    });
  }

  missed(endpoint: string): void {
    const s = this.series.get(endpoint);
    if (s) s.results.missed++;
  }

  /** 1 while the endpoint's availability alert is not triggered. */
  setUp(endpoint: string, up: boolean): void {
    const s = this.series.get(endpoint);
    if (s) s.up = up ? 1 : 0;
  }

  render(): string {
    const out: string[] = [];
    const family = (name: string, type: string, help: string, lines: Array<[string, string, number]>) => {
      if (lines.length === 0) return;
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [suffix, labels, value] of lines) out.push(`${name}${suffix}{${labels}} ${num(value)}`);
    };
    const all = [...this.series.values()];
    const probed = all.filter((s) => s.last !== null);
    family('kagg_probe_success', 'gauge', 'Whether the last probe passed its conditions (1) or not (0).', [
      ...probed.map((s): [string, string, number] => ['', s.labels, s.last?.ok ? 1 : 0]),
    ]);
    family(
      'kagg_probe_duration_seconds',
      'gauge',
      'Duration of the last probe, from sent to the end of the answer.',
      probed.map((s) => ['', s.labels, (s.last?.latencyMs ?? Number.NaN) / 1000]),
    );
    family(
      'kagg_probe_http_status_code',
      'gauge',
      'HTTP status of the last probe (0 when no answer came).',
      probed.map((s) => ['', s.labels, s.last?.status ?? 0]),
    );
    const phaseLines: Array<[string, string, number]> = [];
    for (const s of probed) {
      const p = s.last?.phases;
      if (!p) continue;
      const phases: Array<[string, number]> = [
        ['resolve', p.dnsMs],
        ['connect', p.connectMs],
        ['tls', p.tlsMs],
        ['processing', p.ttfbMs],
        ['transfer', p.transferMs],
      ];
      for (const [phase, ms] of phases) phaseLines.push(['', `${s.labels},phase="${phase}"`, ms / 1000]);
    }
    family('kagg_probe_http_duration_seconds', 'gauge', 'Phases of the last probe.', phaseLines);
    const hist: Array<[string, string, number]> = [];
    for (const s of all) {
      LATENCY_BUCKETS.forEach((le, i) => {
        hist.push(['_bucket', `${s.labels},le="${le}"`, s.buckets[i] as number]);
      });
      hist.push(
        ['_bucket', `${s.labels},le="+Inf"`, s.count],
        ['_sum', s.labels, s.sum],
        ['_count', s.labels, s.count],
      );
    }
    family('kagg_probe_latency_seconds', 'histogram', 'Latency of answered probes, from sent.', hist);
    const results: Array<[string, string, number]> = [];
    for (const s of all) {
      for (const [result, n] of Object.entries(s.results)) results.push(['', `${s.labels},result="${result}"`, n]);
    }
    family(
      'kagg_probes_total',
      'counter',
      'Probes by result: success, failure (answered, a condition failed), error (no answer), missed (tick skipped).',
      results,
    );
    family(
      'kagg_coldstarts_total',
      'counter',
      'Answers that were cold starts.',
      all.map((s) => ['', s.labels, s.coldStarts]),
    );
    family(
      'kagg_coldstart_init_seconds_total',
      'counter',
      'Sum of the init durations the runtime reported on cold starts.',
      all.map((s) => ['', s.labels, s.coldInitSum]),
    );
    family(
      'kagg_endpoint_up',
      'gauge',
      'Whether the endpoint availability alert is not triggered (1) or is (0).',
      all.map((s) => ['', s.labels, s.up]),
    );
    family(
      'kagg_uptime_ratio',
      'gauge',
      'Share of probes that passed since the monitor started.',
      all.map((s) => {
        const n = s.results.success + s.results.failure + s.results.error;
        return ['', `${s.labels},window="run"`, n === 0 ? Number.NaN : s.results.success / n];
      }),
    );
    return `${out.join('\n')}\n`;
  }
}

export function parseListen(text: string): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[2]) : Number.NaN;
  if (!m || port > 65535) {
    throw usageError(`--prometheus "${text}" is not HOST:PORT, e.g. 127.0.0.1:9464 (port 0 picks a free one)`, {
      code: 'LISTEN_INVALID',
    });
  }
  return { host: (m[1] as string).replace(/^\[|\]$/g, ''), port };
}

/** Serves GET /metrics; returns the server once it listens (its address tells the port when 0 was asked). */
export function serveMetrics(metrics: Metrics, host: string, port: number): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && (req.url === '/metrics' || req.url?.startsWith('/metrics?'))) {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(metrics.render());
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('kagg monitor serves /metrics\n');
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        new KaggError(`--prometheus ${host}:${port}: cannot listen (${e.code ?? e.message})`, {
          code: 'LISTEN_FAILED',
        }),
      ),
    );
    server.listen(port, host, () => resolve(server));
  });
}
