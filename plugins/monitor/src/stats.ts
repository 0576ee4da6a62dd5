/**
 * Per-endpoint statistics: HDR histograms (hdr-histogram-js, microseconds, 3 significant digits) for
 * latency from sent, from scheduled, warm and cold, plus counts. Built live by the run and rebuilt
 * from probes.jsonl by `kagg monitor report`, through the same code, so both agree.
 */
import hdr from 'hdr-histogram-js';
import { isMissed, type ProbeRecord, type RunLine } from './record.js';

type Histogram = ReturnType<typeof hdr.build>;

export interface Percentiles {
  /** Samples the percentiles come from. */
  n: number;
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

export interface EndpointSummary {
  endpoint: string;
  target: string;
  /** Probes sent (answered or not). */
  probes: number;
  /** Probes whose conditions all held. */
  ok: number;
  failed: number;
  /** Probes that got no answer at all. */
  errors: number;
  /** Ticks skipped because the previous probe was still running or the cap was full. */
  missed: number;
  /** ok / probes (null before the first probe). */
  availability: number | null;
  errorRate: number | null;
  /** Milliseconds, from the time the probe was sent. */
  latency: Percentiles;
  /** Milliseconds, from the time the probe was scheduled (coordinated omission kept in). */
  scheduledLatency: Percentiles;
  warm: Percentiles;
  cold: Percentiles;
  coldStarts: number;
  statusCodes: Record<string, number>;
}

const newHistogram = (): Histogram =>
  hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 });

function percentiles(h: Histogram): Percentiles {
  const n = h.totalCount;
  const at = (p: number) => (n === 0 ? null : h.getValueAtPercentile(p) / 1000);
  return { n, p50: at(50), p90: at(90), p95: at(95), p99: at(99), max: n === 0 ? null : h.maxValue / 1000 };
}

const micros = (ms: number) => Math.max(1, Math.round(ms * 1000));

class EndpointStats {
  probes = 0;
  ok = 0;
  errors = 0;
  missed = 0;
  coldStarts = 0;
  statusCodes: Record<string, number> = {};
  readonly latency = newHistogram();
  readonly scheduled = newHistogram();
  readonly warm = newHistogram();
  readonly cold = newHistogram();
  constructor(
    readonly endpoint: string,
    readonly target: string,
  ) {}

  add(r: ProbeRecord): void {
    this.probes++;
    if (r.ok) this.ok++;
    if (r.status === null) this.errors++;
    const code = r.status === null ? 'error' : String(r.status);
    this.statusCodes[code] = (this.statusCodes[code] ?? 0) + 1;
    if (r.cold) this.coldStarts++;
    if (r.latencyMs === null) return;
    this.latency.recordValue(micros(r.latencyMs));
    if (r.scheduledLatencyMs !== null) this.scheduled.recordValue(micros(r.scheduledLatencyMs));
    (r.cold ? this.cold : this.warm).recordValue(micros(r.latencyMs));
  }

  summary(): EndpointSummary {
    const rate = (x: number) => (this.probes === 0 ? null : x / this.probes);
    return {
      endpoint: this.endpoint,
      target: this.target,
      probes: this.probes,
      ok: this.ok,
      failed: this.probes - this.ok,
      errors: this.errors,
      missed: this.missed,
      availability: rate(this.ok),
      errorRate: rate(this.probes - this.ok),
      latency: percentiles(this.latency),
      scheduledLatency: percentiles(this.scheduled),
      warm: percentiles(this.warm),
      cold: percentiles(this.cold),
      coldStarts: this.coldStarts,
      statusCodes: this.statusCodes,
    };
  }
}

export class RunStats {
  private readonly byEndpoint = new Map<string, EndpointStats>();

  constructor(endpoints: Array<{ name: string; target: string }>) {
    for (const e of endpoints) this.byEndpoint.set(e.name, new EndpointStats(e.name, e.target));
  }

  private of(endpoint: string, target = 'unknown'): EndpointStats {
    let s = this.byEndpoint.get(endpoint);
    if (!s) {
      s = new EndpointStats(endpoint, target);
      this.byEndpoint.set(endpoint, s);
    }
    return s;
  }

  add(line: RunLine): void {
    if (isMissed(line)) this.of(line.endpoint).missed++;
    else this.of(line.endpoint, line.target).add(line);
  }

  summary(endpoint: string): EndpointSummary {
    return this.of(endpoint).summary();
  }

  summaries(): EndpointSummary[] {
    return [...this.byEndpoint.values()].map((s) => s.summary());
  }
}
