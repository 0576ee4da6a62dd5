/**
 * The HTML report: one self-contained file (uPlot and its CSS inlined, the data as JSON in the page),
 * so it opens offline, mails as an attachment and prints. Sections: summary table, latency over time
 * (failed probes and cold starts marked), latency histogram, incidents, and how the numbers were made.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isMissed, type ProbeRecord } from './record.js';
import type { LoadedRun } from './store.js';
import type { RunReport } from './summary.js';

const require = createRequire(import.meta.url);

function asset(name: string): string {
  return readFileSync(require.resolve(`uplot/dist/${name}`), 'utf8');
}

/** JSON safe inside <script>: no `</script>` or `<!--` can close or confuse the element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const f = (v: number | null, digits = 1) => (v === null ? '–' : v.toFixed(digits));
const pct = (v: number | null) => (v === null ? '–' : `${(v * 100).toFixed(2)}%`);

export function renderHtml(run: LoadedRun, report: RunReport): string {
  const probes = run.lines.filter((l): l is ProbeRecord => !isMissed(l));
  const t0 = Date.parse(run.meta.startedAt) / 1000;
  const data = {
    endpoints: report.endpoints.map((e) => e.endpoint),
    // one row per probe: [endpoint index, seconds since epoch, latency ms | null, ok 0/1, cold 0/1]
    probes: probes.map((p) => [
      report.endpoints.findIndex((e) => e.endpoint === p.endpoint),
      +(t0 + p.sentAt / 1000).toFixed(3),
      p.latencyMs,
      p.ok ? 1 : 0,
      p.cold ? 1 : 0,
    ]),
  };
  const rows = report.endpoints
    .map(
      (
        e,
      ) => `<tr><td>${esc(e.endpoint)}</td><td>${esc(e.target)}</td><td>${e.probes}</td><td>${pct(e.availability)}</td>
<td>${pct(e.errorRate)}</td><td>${f(e.latency.p50)}</td><td>${f(e.latency.p90)}</td><td>${f(e.latency.p95)}</td>
<td>${e.latency.n >= 100 ? f(e.latency.p99) : `(${f(e.latency.p99)})`}</td><td>${f(e.latency.max)}</td><td>${f(e.scheduledLatency.p99)}</td>
<td>${e.coldStarts}</td><td>${f(e.cold.p50)}</td><td>${e.missed}</td></tr>`,
    )
    .join('\n');
  const incidents = incidentsOf(probes)
    .map(
      (i) =>
        `<li><b>${esc(i.endpoint)}</b>: ${esc(i.from)} → ${esc(i.to)}, ${i.count} failed probe(s): ${esc(i.reason)}</li>`,
    )
    .join('\n');
  const m = run.meta;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>kagg monitor — ${esc(m.id)}</title>
<style>${asset('uPlot.min.css')}
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1200px}
table{border-collapse:collapse;margin:12px 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}
td:first-child,th:first-child{text-align:left}h2{margin-top:28px}.note{color:#555;font-size:12px}
</style></head><body>
<h1>kagg monitor report</h1>
<p>Run <b>${esc(m.id)}</b>: ${esc(m.startedAt)} → ${esc(m.finishedAt ?? 'killed before it ended (records up to the last probe)')}, every ${m.intervalMs} ms, ${esc(m.mode)} mode.</p>
<h2>Summary</h2>
<table id="summary"><thead><tr><th>endpoint</th><th>target</th><th>n</th><th>availability</th><th>error rate</th><th>p50 ms</th><th>p90</th><th>p95</th><th>p99</th><th>max</th><th>p99 from schedule</th><th>cold starts</th><th>cold p50</th><th>missed</th></tr></thead>
<tbody>${rows}</tbody></table>
<h2>Latency over time</h2><div id="timeline"></div>
<p class="note">Each point is one probe (ms from sent). Red: failed a condition or got no answer (drawn at 0). Large blue rings: cold starts.</p>
<h2>Latency histogram</h2><div id="histogram"></div>
<h2>Incidents</h2><ul id="incidents">${incidents || '<li>none</li>'}</ul>
<h2>How these numbers were computed</h2>
<p class="note">A probe passes when every condition holds (${esc(m.conditions.join(' AND '))}); availability is passing probes / probes sent, error rate the rest.
A probe with no answer (refused, reset, no answer within ${m.timeoutMs} ms) counts as failed and has no latency. Probes are never retried.
Latency is measured from the moment the request was sent to the end of the answer; "from schedule" from the moment it was due (start + k·interval),
which keeps the sender's own delays in (coordinated omission). A tick that came due while the previous probe was still running is skipped and counted as missed.
Percentiles come from an HDR histogram (3 significant digits); p99 in brackets is based on fewer than 100 samples.
Cold starts come from the runtime's x-kagg-cold header, else from a slow first answer after an idle gap.
An alert triggers after ${m.failureThreshold} failed probes in a row and resolves after ${m.successThreshold} passing ones.</p>
<script>${asset('uPlot.iife.min.js')}</script>
<script type="application/json" id="kagg-data">${scriptJson(data)}</script>
<script>
(function () {
  var d = JSON.parse(document.getElementById('kagg-data').textContent);
  var colors = ['#1f77b4','#2ca02c','#9467bd','#8c564b','#e377c2','#7f7f7f','#bcbd22','#17becf','#ff7f0e'];
  var width = Math.min(1150, document.body.clientWidth || 1150);
  var rows = d.probes.slice().sort(function (a, b) { return a[1] - b[1]; });
  var xs = rows.map(function (r) { return r[1]; });
  var series = [{}], cols = [xs];
  d.endpoints.forEach(function (name, i) {
    cols.push(rows.map(function (r) { return r[0] === i && r[3] ? r[2] : null; }));
    series.push({ label: name, stroke: colors[i % colors.length], width: 1, spanGaps: true, points: { size: 4 } });
  });
  cols.push(rows.map(function (r) { return r[3] ? null : (r[2] == null ? 0 : r[2]); }));
  series.push({ label: 'failed', stroke: '#d62728', width: 0, points: { show: true, size: 7, fill: '#d62728' }, paths: function () { return null; } });
  cols.push(rows.map(function (r) { return r[4] ? r[2] : null; }));
  series.push({ label: 'cold start', stroke: '#0050ff', width: 0, points: { show: true, size: 12, width: 2, fill: 'transparent' }, paths: function () { return null; } });
  new uPlot({ width: width, height: 320, series: series, axes: [{}, { label: 'ms' }], scales: { x: { time: true } } }, cols, document.getElementById('timeline'));

  var lat = rows.filter(function (r) { return r[2] != null; });
  var max = Math.max.apply(null, lat.map(function (r) { return r[2]; }).concat([1]));
  var bins = 40, step = max / bins, centers = [], hcols = [];
  for (var b = 0; b < bins; b++) centers.push(+(step * (b + 0.5)).toFixed(3));
  var hseries = [{}];
  d.endpoints.forEach(function (name, i) {
    var counts = centers.map(function () { return 0; });
    lat.forEach(function (r) { if (r[0] === i) counts[Math.min(bins - 1, Math.floor(r[2] / step))]++; });
    hcols.push(counts);
    hseries.push({ label: name, stroke: colors[i % colors.length], fill: colors[i % colors.length] + '88', points: { show: false }, paths: uPlot.paths.bars({ size: [0.9, 100] }) });
  });
  new uPlot({ width: width, height: 260, series: hseries, scales: { x: { time: false } }, axes: [{ label: 'latency ms' }, { label: 'probes' }] }, [centers].concat(hcols), document.getElementById('histogram'));
  window.kaggReportReady = true;
})();
</script>
</body></html>
`;
}

interface Incident {
  endpoint: string;
  from: string;
  to: string;
  count: number;
  reason: string;
}

/** Runs of consecutive failed probes per endpoint. */
function incidentsOf(probes: ProbeRecord[]): Incident[] {
  const open = new Map<string, Incident>();
  const done: Incident[] = [];
  for (const p of probes) {
    const current = open.get(p.endpoint);
    if (!p.ok) {
      const reason =
        p.error ??
        p.conditions
          .filter((c) => !c.ok)
          .map((c) => `${c.expr} (${c.resolved})`)
          .join('; ');
      if (current) {
        current.to = p.ts;
        current.count++;
      } else open.set(p.endpoint, { endpoint: p.endpoint, from: p.ts, to: p.ts, count: 1, reason });
    } else if (current) {
      done.push(current);
      open.delete(p.endpoint);
    }
  }
  return [...done, ...open.values()].sort((a, b) => a.from.localeCompare(b.from));
}
