/** A run's summary from its records, and its text table: what `kagg monitor` prints at the end and `kagg monitor report` prints later. */

import { type EndpointSummary, type Percentiles, RunStats } from './stats.js';
import type { LoadedRun, RunMeta } from './store.js';

export interface RunReport {
  run: string;
  dir: string;
  meta: RunMeta;
  /** false when the run was killed before it could write its end (the records up to then count). */
  complete: boolean;
  endpoints: EndpointSummary[];
  /** Unparseable lines skipped (a torn last line after kill -9). */
  skippedLines: number;
}

export function summarizeRun(run: LoadedRun): RunReport {
  const stats = new RunStats(run.meta.endpoints);
  for (const line of run.lines) stats.add(line);
  return {
    run: run.meta.id,
    dir: run.dir,
    meta: run.meta,
    complete: run.meta.finishedAt !== undefined,
    endpoints: stats.summaries(),
    skippedLines: run.skipped,
  };
}

const ms = (v: number | null) => (v === null ? '-' : v < 10 ? v.toFixed(2) : v < 1000 ? v.toFixed(1) : v.toFixed(0));
const pct = (v: number | null) => (v === null ? '-' : `${(v * 100).toFixed(v === 1 || v === 0 ? 0 : 2)}%`);

/** p99 from fewer than 100 samples is just the max: shown in brackets. */
function p99(p: Percentiles): string {
  return p.n >= 100 ? ms(p.p99) : `(${ms(p.p99)})`;
}

export function renderTable(endpoints: EndpointSummary[]): string {
  const header = [
    'ENDPOINT',
    'N',
    'OK',
    'AVAIL',
    'ERR',
    'P50',
    'P90',
    'P95',
    'P99',
    'MAX',
    'SCHED P99',
    'COLD',
    'COLD P50',
    'MISSED',
  ];
  const rows = endpoints.map((e) => [
    e.endpoint,
    String(e.probes),
    String(e.ok),
    pct(e.availability),
    pct(e.errorRate),
    ms(e.latency.p50),
    ms(e.latency.p90),
    ms(e.latency.p95),
    p99(e.latency),
    ms(e.latency.max),
    p99(e.scheduledLatency),
    String(e.coldStarts),
    ms(e.cold.p50),
    String(e.missed),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ');
  return [
    line(header),
    ...rows.map(line),
    'latencies in ms from sent (SCHED: from the scheduled time); (p99) = fewer than 100 samples',
  ].join('\n');
}
