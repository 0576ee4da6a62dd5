/**
 * Delivers alert events to --webhook (Alertmanager-like JSON, version "4", so existing receivers
 * work) and --slack (an incoming-webhook attachment, red or green). Each channel is a queue served in
 * order through kagg's HTTP client: a token bucket (Slack allows about one message a second), retries
 * on 429/5xx/resets with backoff, and Retry-After honoured. Delivery never blocks probing; a channel
 * that keeps failing is reported, never fatal.
 */
import net from 'node:net';
import { KaggError, usageError } from '@kagg/core/errors';
import { createHttpClient, type HttpClient, RateLimiter, safeUrl } from '@kagg/core/http';
import type { AlertEvent } from './alerts.js';

export type ChannelKind = 'webhook' | 'slack';

export interface Delivery {
  channel: ChannelKind;
  kind: AlertEvent['kind'];
  endpoint: string;
  dedupKey: string;
  ok: boolean;
  status: number | null;
  attempts: number;
  error: string | null;
}

export function alertmanagerPayload(e: AlertEvent, externalURL: string): Record<string, unknown> {
  const status = e.kind === 'resolve' ? 'resolved' : 'firing';
  const labels = { alertname: `kagg_${e.alert}`, endpoint: e.endpoint, target: e.target, severity: 'critical' };
  return {
    version: '4',
    status,
    receiver: 'kagg',
    groupKey: e.dedupKey,
    groupLabels: { alertname: labels.alertname },
    commonLabels: labels,
    commonAnnotations: { summary: summaryOf(e) },
    externalURL,
    kagg: { event: e.kind, dedupKey: e.dedupKey, failures: e.failures },
    alerts: [
      {
        status,
        labels,
        annotations: { summary: summaryOf(e), description: e.reason },
        startsAt: e.startsAt,
        endsAt: e.endsAt ?? '0001-01-01T00:00:00Z',
        generatorURL: externalURL,
        fingerprint: e.dedupKey,
      },
    ],
  };
}

export function slackPayload(e: AlertEvent): Record<string, unknown> {
  const resolved = e.kind === 'resolve';
  return {
    text: summaryOf(e),
    attachments: [
      {
        color: resolved ? '#36A64F' : '#DD0000',
        fields: [
          {
            title: 'Condition results',
            value:
              e.conditions.length > 0
                ? e.conditions.map((c) => `${c.ok ? ':white_check_mark:' : ':x:'} ${c.expr} (${c.resolved})`).join('\n')
                : e.reason,
            short: false,
          },
        ],
      },
    ],
  };
}

function summaryOf(e: AlertEvent): string {
  if (e.kind === 'resolve') return `kagg: ${e.endpoint} is back up (${e.alert} resolved)`;
  const again = e.kind === 'reminder' ? ' (reminder)' : '';
  return `kagg: ${e.endpoint} is failing${again}: ${e.failures} probe(s) in a row failed: ${e.reason}`;
}

export function parseWebhookUrl(url: string, flag: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw usageError(`${flag} "${url}" is not a URL`, { code: 'WEBHOOK_INVALID' });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw usageError(`${flag} must be an http(s) URL, not ${parsed.protocol}`, { code: 'WEBHOOK_INVALID' });
  }
  return parsed;
}

/** Fails fast, before the first probe, when a webhook's host does not accept connections. */
export function checkReachable(url: URL, flag: string, timeoutMs = 5000): Promise<void> {
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    const done = (error?: Error) => {
      socket.destroy();
      if (!error) return resolve();
      reject(
        new KaggError(`${flag} ${url.origin} is unreachable: ${error.message}`, {
          code: 'WEBHOOK_UNREACHABLE',
          action: `check the URL and that the receiver is running, or leave ${flag} out`,
        }),
      );
    };
    socket.setTimeout(timeoutMs, () => done(new Error(`no connection within ${timeoutMs} ms`)));
    socket.once('connect', () => done());
    socket.once('error', (e: NodeJS.ErrnoException) => done(new Error(e.code ?? e.message)));
  });
}

export interface ChannelOptions {
  kind: ChannelKind;
  url: string;
  /** Messages per second (default 1, Slack's limit). */
  ratePerSecond?: number;
  retries?: number;
  http?: HttpClient;
  onDelivery?: (d: Delivery) => void;
}

export class Channel {
  private queue: Promise<void> = Promise.resolve();
  private readonly http: HttpClient;
  readonly deliveries: Delivery[] = [];

  constructor(private readonly options: ChannelOptions) {
    this.http =
      options.http ??
      createHttpClient({
        timeoutMs: 10_000,
        retries: options.retries ?? 5,
        retryBaseMs: 500,
        maxRetryAfterMs: 60_000,
        rateLimiter: new RateLimiter({ ratePerSecond: options.ratePerSecond ?? 1, burst: 3 }),
      });
  }

  send(event: AlertEvent, externalURL: string): void {
    const json = this.options.kind === 'slack' ? slackPayload(event) : alertmanagerPayload(event, externalURL);
    this.queue = this.queue.then(() => this.deliver(event, json));
  }

  private async deliver(event: AlertEvent, json: unknown): Promise<void> {
    const base = { channel: this.options.kind, kind: event.kind, endpoint: event.endpoint, dedupKey: event.dedupKey };
    let delivery: Delivery;
    try {
      // Safe to repeat: receivers pair events by the dedup key.
      const res = await this.http.request({
        method: 'POST',
        url: this.options.url,
        json,
        responseType: 'text',
        idempotent: true,
      });
      const ok = res.status >= 200 && res.status < 300;
      delivery = {
        ...base,
        ok,
        status: res.status,
        attempts: res.attempts,
        error: ok ? null : `HTTP ${res.status}`,
      };
    } catch (error) {
      // The path of a Slack webhook is its secret: messages name the origin only.
      const message = (error as Error).message.replaceAll(safeUrl(this.options.url), new URL(this.options.url).origin);
      delivery = { ...base, ok: false, status: null, attempts: 0, error: message };
    }
    this.deliveries.push(delivery);
    this.options.onDelivery?.(delivery);
  }

  /** Waits until every queued event was delivered or given up. */
  flush(): Promise<void> {
    return this.queue;
  }
}
