/**
 * `kagg monitor`: checks every input before the first probe (durations, conditions, payload, webhook
 * URLs and their reachability, the metrics address, the endpoints themselves), resolves each endpoint
 * through its target's invocation(), runs the monitor, and writes the HTML report when asked.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseDuration } from '@kagg/core/config';
import { type EndpointDeps, resolveInvocation } from '@kagg/core/endpoints';
import { usageError } from '@kagg/core/errors';
import { writeFileAtomic } from '@kagg/core/fs';
import { safeUrl } from '@kagg/core/http';
import type { AlertEvent } from './alerts.js';
import type { Clock } from './clock.js';
import { type Condition, DEFAULT_CONDITIONS, parseCondition } from './conditions.js';
import { renderHtml } from './html.js';
import { Monitor, type MonitoredEndpoint, type MonitorResult } from './monitor.js';
import { Channel, checkReachable, type Delivery, parseWebhookUrl } from './notify.js';
import { Metrics, parseListen, serveMetrics } from './prometheus.js';
import type { MissedRecord, ProbeMode, ProbeRecord } from './record.js';
import type { EndpointSummary } from './stats.js';
import { loadRun, newRunId } from './store.js';
import { summarizeRun } from './summary.js';

export interface MonitorRequest {
  names: string[];
  duration: string;
  /** Default 10s in steady mode, 20m in cold mode. */
  interval?: string;
  mode: ProbeMode;
  data?: string;
  conditions: string[];
  webhook?: string;
  slack?: string;
  failureThreshold: number;
  successThreshold: number;
  reminder?: string;
  timeout: string;
  maxInFlight: number;
  coldIdle?: string;
  report?: string;
  prometheus?: string;
}

export interface MonitorDeps {
  endpoints: EndpointDeps;
  home: string;
  clock: Clock;
  signal: AbortSignal;
  onRecord?: (record: ProbeRecord | MissedRecord, summary: EndpointSummary) => void;
  onAlert?: (event: AlertEvent) => void;
  onDelivery?: (delivery: Delivery) => void;
  /** Called once the metrics server listens, with its URL. */
  onMetrics?: (url: string) => void;
  /** Called once the run has its id and folder, before the first probe. */
  onStart?: (run: { id: string; durationMs: number }) => void;
}

export interface MonitorOutcome extends MonitorResult {
  report?: string;
  metricsUrl?: string;
}

const MIN_REMINDER_MS = 5 * 60_000;

export async function monitorEndpoints(req: MonitorRequest, deps: MonitorDeps): Promise<MonitorOutcome> {
  if (req.names.length === 0) throw usageError('give at least one endpoint name (or URL) to monitor');
  const durationMs = parseDuration(req.duration, '--duration');
  const intervalMs = parseDuration(req.interval ?? (req.mode === 'cold' ? '20m' : '10s'), '--interval');
  const timeoutMs = parseDuration(req.timeout, '--timeout');
  const coldIdleMs = parseDuration(req.coldIdle ?? '10m', '--cold-idle');
  const reminderMs = req.reminder === undefined ? 0 : parseDuration(req.reminder, '--reminder');
  if (reminderMs > 0 && reminderMs < MIN_REMINDER_MS) {
    throw usageError(`--reminder ${req.reminder} is too frequent: at least 5m`, { code: 'REMINDER_TOO_FREQUENT' });
  }
  if (req.failureThreshold < 1 || req.successThreshold < 1) {
    throw usageError('--failure-threshold and --success-threshold must be at least 1');
  }
  const conditions: Condition[] = (req.conditions.length > 0 ? req.conditions : DEFAULT_CONDITIONS).map(parseCondition);
  if (req.data !== undefined) {
    try {
      JSON.parse(req.data);
    } catch (error) {
      throw usageError(`--data is not valid JSON: ${(error as Error).message}`, { code: 'PAYLOAD_INVALID' });
    }
  }
  const hooks = [
    ...(req.webhook
      ? [{ kind: 'webhook' as const, flag: '--webhook', url: parseWebhookUrl(req.webhook, '--webhook') }]
      : []),
    ...(req.slack ? [{ kind: 'slack' as const, flag: '--slack', url: parseWebhookUrl(req.slack, '--slack') }] : []),
  ];
  const listen = req.prometheus ? parseListen(req.prometheus) : undefined;
  const names = [...new Set(req.names)];
  const endpoints: MonitoredEndpoint[] = [];
  for (const name of names) {
    const inv = await resolveInvocation(deps.endpoints, name);
    // a URL's query string may hold a key (Azure's ?code=): records and labels name it without
    endpoints.push({ ...inv, name: inv.target === 'url' ? safeUrl(inv.url) : inv.name });
  }
  for (const h of hooks) await checkReachable(h.url, h.flag);
  const channels = hooks.map(
    (h) => new Channel({ kind: h.kind, url: h.url.href, ...(deps.onDelivery ? { onDelivery: deps.onDelivery } : {}) }),
  );

  const metrics = listen ? new Metrics(endpoints, req.mode) : undefined;
  let server: Server | undefined;
  let metricsUrl: string | undefined;
  if (listen && metrics) {
    server = await serveMetrics(metrics, listen.host, listen.port);
    const { port } = server.address() as AddressInfo;
    metricsUrl = `http://${listen.host.includes(':') ? `[${listen.host}]` : listen.host}:${port}/metrics`;
    deps.onMetrics?.(metricsUrl);
  }
  try {
    const id = newRunId(deps.clock.wallNow());
    deps.onStart?.({ id, durationMs });
    const monitor = new Monitor({
      id,
      home: deps.home,
      endpoints,
      intervalMs,
      durationMs,
      mode: req.mode,
      ...(req.data !== undefined ? { data: req.data } : {}),
      conditions,
      timeoutMs,
      maxInFlight: req.maxInFlight,
      coldIdleMs: req.mode === 'cold' ? 0 : coldIdleMs,
      alerts: { failureThreshold: req.failureThreshold, successThreshold: req.successThreshold, reminderMs },
      channels,
      ...(metrics ? { metrics } : {}),
      clock: deps.clock,
      signal: deps.signal,
      ...(deps.onRecord ? { onRecord: deps.onRecord } : {}),
      ...(deps.onAlert ? { onAlert: deps.onAlert } : {}),
    });
    const result: MonitorOutcome = await monitor.run();
    if (metricsUrl) result.metricsUrl = metricsUrl;
    if (req.report) {
      await writeHtmlReport(result.dir, req.report);
      result.report = req.report;
    }
    return result;
  } finally {
    server?.close();
  }
}

export async function writeHtmlReport(runDir: string, file: string): Promise<void> {
  const run = await loadRun(runDir);
  await writeFileAtomic(file, renderHtml(run, summarizeRun(run)), 0o644);
}
