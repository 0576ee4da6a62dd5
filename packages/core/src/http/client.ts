/**
 * The one HTTP client of kagg: per-attempt timeouts, retries on 429 / 5xx / broken connections with
 * exponential backoff and jitter, `Retry-After` honoured up to a cap, an optional shared rate limiter,
 * kagg's user agent, and streaming downloads that never leave a partial or error body on disk.
 *
 * It is built on Node's own `fetch`, which Node loads on first use: importing this module costs
 * nothing at start-up.
 */
import { createWriteStream } from 'node:fs';
import { rename, rm, utimes } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { KaggError } from '../errors/index.js';
import type { RateLimiter } from './rate-limiter.js';
import {
  backoffDelay,
  classifyNetworkError,
  isRetryableStatus,
  networkErrorCode,
  parseRetryAfter,
  sleep,
} from './retry.js';

export interface HttpClientOptions {
  /** Per attempt: time allowed until the response headers, and the longest silence while reading a body. */
  timeoutMs?: number;
  /** Extra attempts after the first (default `KAGG_HTTP_RETRIES` or 6). */
  retries?: number;
  /** First backoff step (default `KAGG_HTTP_RETRY_BASE_MS` or 500 ms); doubles each attempt, with jitter. */
  retryBaseMs?: number;
  /** Longest backoff step (default 30 s). */
  retryMaxMs?: number;
  /** Longest wait a `Retry-After` header may impose (default `KAGG_HTTP_MAX_RETRY_AFTER_MS` or 60 s). */
  maxRetryAfterMs?: number;
  /** Every attempt takes a token first; a 429 with Retry-After pauses it for everyone sharing it. */
  rateLimiter?: RateLimiter;
  userAgent?: string;
  /** Called before each retry (for progress displays and tests). */
  onRetry?: (info: RetryInfo) => void;
}

export interface RetryInfo {
  url: string;
  attempt: number;
  delayMs: number;
  reason: string;
}

export type ResponseType = 'json' | 'text' | 'buffer';

export interface HttpRequest {
  method?: string;
  url: string;
  headers?: Record<string, string>;
  /** Sent as JSON with `Content-Type: application/json`. */
  json?: unknown;
  body?: string | Uint8Array;
  /** How to read the body (default `json`: parsed when it is JSON, else `undefined`, with the text kept). */
  responseType?: ResponseType;
  /**
   * Whether repeating the request is harmless. Default: true for GET/HEAD/PUT/DELETE/OPTIONS.
   * A non-idempotent request is retried only on 429 and on connections that failed before sending.
   */
  idempotent?: boolean;
  signal?: AbortSignal;
  /** Largest body accepted, in bytes: a longer one is cut off and the request fails (HTTP_TOO_LARGE). */
  maxBytes?: number;
}

export interface HttpResponse<T = unknown> {
  status: number;
  headers: Headers;
  /** Parsed body (`json`: undefined when the body is not JSON). */
  body: T;
  /** Raw body text (`json` and `text` modes). */
  text: string;
  url: string;
  attempts: number;
}

export interface DownloadRequest {
  url: string;
  /** Final path; the body goes to a temporary sibling first and is renamed only after a 2xx completes. */
  dest: string;
  headers?: Record<string, string>;
  /** Sends `If-Modified-Since`; a 304 answer means the local file is current. */
  ifModifiedSince?: Date;
  /** Inspects a 2xx response before its body is read; returning true skips the file. */
  skip?: (response: { status: number; headers: Headers }) => boolean;
  /** Sets the file's modification time to the response's Last-Modified (default true). */
  keepLastModified?: boolean;
  signal?: AbortSignal;
}

export interface DownloadResult {
  /** `written`: body saved; `not-modified`: 304; `skipped`: `skip()` said so; `failed`: non-2xx (nothing written). */
  outcome: 'written' | 'not-modified' | 'skipped' | 'failed';
  status: number;
  bytes: number;
  /** Short text of a failed answer's body, for the error message. */
  errorText?: string;
  attempts: number;
}

export interface HttpClient {
  request<T = unknown>(req: HttpRequest): Promise<HttpResponse<T>>;
  download(req: DownloadRequest): Promise<DownloadResult>;
  readonly options: Readonly<Required<Omit<HttpClientOptions, 'rateLimiter' | 'onRetry'>>>;
}

function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  return Number.isFinite(value) && value >= 0 ? value : fallback;
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);

/** The URL without its query string (signed URLs carry credentials there). */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return url.split('?')[0] ?? url;
  }
}

/** Reads a body, failing as soon as it passes `maxBytes` (declared or streamed), so it never fills memory. */
async function readCapped(res: Response, maxBytes: number, url: string): Promise<Buffer> {
  const tooLarge = () =>
    new KaggError(`${safeUrl(url)} answered more than ${maxBytes} bytes, the limit for it`, { code: 'HTTP_TOO_LARGE' });
  if (Number(res.headers.get('content-length') ?? 0) > maxBytes) {
    await res.body?.cancel().catch(() => {});
    throw tooLarge();
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body ?? []) {
    size += chunk.byteLength;
    if (size > maxBytes) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export function createHttpClient(options: HttpClientOptions = {}): HttpClient {
  const opts = {
    timeoutMs: options.timeoutMs ?? envNumber('KAGG_HTTP_TIMEOUT_MS', 60_000),
    retries: options.retries ?? envNumber('KAGG_HTTP_RETRIES', 6),
    retryBaseMs: options.retryBaseMs ?? envNumber('KAGG_HTTP_RETRY_BASE_MS', 500),
    retryMaxMs: options.retryMaxMs ?? envNumber('KAGG_HTTP_RETRY_MAX_MS', 30_000),
    maxRetryAfterMs: options.maxRetryAfterMs ?? envNumber('KAGG_HTTP_MAX_RETRY_AFTER_MS', 60_000),
    userAgent: options.userAgent ?? `kagg/0.1.0 node/${process.versions.node}`,
  };
  const limiter = options.rateLimiter;

  /** How long to wait before attempt `attempt + 1`, honouring Retry-After. */
  function delayFor(attempt: number, headers?: Headers): number {
    const after = parseRetryAfter(headers?.get('retry-after'));
    if (after !== undefined) return Math.min(after, opts.maxRetryAfterMs);
    return backoffDelay(attempt, opts.retryBaseMs, opts.retryMaxMs);
  }

  async function waitBeforeRetry(
    url: string,
    attempt: number,
    reason: string,
    headers?: Headers,
    status?: number,
    signal?: AbortSignal,
  ): Promise<void> {
    const delayMs = delayFor(attempt, headers);
    // A 429 is about the whole client, not this call: hold every caller sharing the limiter.
    if (limiter && status === 429) limiter.pauseUntil(Date.now() + delayMs);
    options.onRetry?.({ url: safeUrl(url), attempt, delayMs, reason });
    await sleep(delayMs, signal);
  }

  /** One attempt: a fetch whose headers must arrive within the timeout. */
  async function attemptFetch(
    url: string,
    init: RequestInit,
    signal: AbortSignal | undefined,
  ): Promise<{ res: Response; controller: AbortController; clear: () => void }> {
    if (limiter) await limiter.take();
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new DOMException('timed out', 'TimeoutError')), opts.timeoutMs);
    const onAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    const clear = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    try {
      const res = await fetch(url, { ...init, signal: controller.signal });
      return { res, controller, clear };
    } catch (error) {
      clear();
      throw controller.signal.aborted && controller.signal.reason instanceof DOMException
        ? controller.signal.reason
        : error;
    }
  }

  function networkError(url: string, error: unknown, attempts: number): KaggError {
    const code = networkErrorCode(error) ?? (error as { name?: string })?.name ?? 'network error';
    return new KaggError(
      `Could not reach ${safeUrl(url)} (${code}) after ${attempts} attempt${attempts === 1 ? '' : 's'}.`,
      {
        code: 'HTTP_NETWORK',
        action: 'Check the network connection and retry.',
        cause: error,
      },
    );
  }

  async function request<T = unknown>(req: HttpRequest): Promise<HttpResponse<T>> {
    const method = (req.method ?? 'GET').toUpperCase();
    const idempotent = req.idempotent ?? IDEMPOTENT.has(method);
    const headers: Record<string, string> = {
      'user-agent': opts.userAgent,
      accept: 'application/json, */*',
      ...req.headers,
    };
    let body: string | Uint8Array | undefined = req.body;
    if (req.json !== undefined) {
      body = JSON.stringify(req.json);
      headers['content-type'] ??= 'application/json';
    }
    const responseType = req.responseType ?? 'json';
    for (let attempt = 1; ; attempt++) {
      const last = attempt > opts.retries;
      let res: Response;
      let clear: () => void;
      try {
        ({ res, clear } = await attemptFetch(
          req.url,
          { method, headers, body: body as RequestInit['body'] },
          req.signal,
        ));
      } catch (error) {
        if (req.signal?.aborted) throw error;
        const kind = classifyNetworkError(error);
        if (!kind) throw error;
        const retryable = kind === 'not-sent' || idempotent;
        if (!retryable || last) throw networkError(req.url, error, attempt);
        await waitBeforeRetry(req.url, attempt, kind, undefined, undefined, req.signal);
        continue;
      }
      try {
        if (isRetryableStatus(res.status, idempotent) && !last) {
          await res.body?.cancel().catch(() => {});
          clear();
          await waitBeforeRetry(req.url, attempt, `HTTP ${res.status}`, res.headers, res.status, req.signal);
          continue;
        }
        let text = '';
        let parsed: unknown;
        const raw =
          req.maxBytes === undefined
            ? Buffer.from(await res.arrayBuffer())
            : await readCapped(res, req.maxBytes, req.url);
        if (responseType === 'buffer') {
          parsed = raw;
        } else {
          text = raw.toString('utf8');
          if (responseType === 'text') parsed = text;
          else if (text.length > 0) {
            try {
              parsed = JSON.parse(text);
            } catch {
              parsed = undefined;
            }
          }
        }
        clear();
        return { status: res.status, headers: res.headers, body: parsed as T, text, url: req.url, attempts: attempt };
      } catch (error) {
        clear();
        const kind = classifyNetworkError(error);
        if (!kind || !idempotent || last) throw kind ? networkError(req.url, error, attempt) : error;
        await waitBeforeRetry(req.url, attempt, kind, undefined, undefined, req.signal);
      }
    }
  }

  async function download(req: DownloadRequest): Promise<DownloadResult> {
    const headers: Record<string, string> = { 'user-agent': opts.userAgent, accept: '*/*', ...req.headers };
    if (req.ifModifiedSince) headers['if-modified-since'] = req.ifModifiedSince.toUTCString();
    const part = `${req.dest}.kagg-part-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    for (let attempt = 1; ; attempt++) {
      const last = attempt > opts.retries;
      let fetched: Awaited<ReturnType<typeof attemptFetch>>;
      try {
        fetched = await attemptFetch(req.url, { method: 'GET', headers }, req.signal);
      } catch (error) {
        if (req.signal?.aborted) throw error;
        if (!classifyNetworkError(error) || last) throw networkError(req.url, error, attempt);
        await waitBeforeRetry(
          req.url,
          attempt,
          classifyNetworkError(error) ?? 'network',
          undefined,
          undefined,
          req.signal,
        );
        continue;
      }
      const { res, controller, clear } = fetched;
      clear();
      if (res.status === 304) {
        await res.body?.cancel().catch(() => {});
        return { outcome: 'not-modified', status: 304, bytes: 0, attempts: attempt };
      }
      if (res.status < 200 || res.status > 299) {
        if (isRetryableStatus(res.status, true) && !last) {
          await res.body?.cancel().catch(() => {});
          await waitBeforeRetry(req.url, attempt, `HTTP ${res.status}`, res.headers, res.status, req.signal);
          continue;
        }
        const errorText = (await res.text().catch(() => '')).slice(0, 300);
        return { outcome: 'failed', status: res.status, bytes: 0, errorText, attempts: attempt };
      }
      if (req.skip?.({ status: res.status, headers: res.headers })) {
        await res.body?.cancel().catch(() => {});
        return { outcome: 'skipped', status: res.status, bytes: 0, attempts: attempt };
      }
      let bytes = 0;
      let idle: NodeJS.Timeout | undefined;
      const arm = () => {
        clearTimeout(idle);
        idle = setTimeout(() => controller.abort(new DOMException('timed out', 'TimeoutError')), opts.timeoutMs);
      };
      try {
        arm();
        const counter = new Transform({
          transform(chunk: Buffer, _enc, cb) {
            bytes += chunk.length;
            arm();
            cb(null, chunk);
          },
        });
        const source = res.body
          ? Readable.fromWeb(res.body as import('node:stream/web').ReadableStream)
          : Readable.from([]);
        // A body cut short of its Content-Length fails the pipeline (undici counts the bytes on the
        // wire: UND_ERR_SOCKET, retried below). Counting here would be wrong: fetch decodes gzip, so
        // `bytes` is the decoded size and differs from a Content-Length of encoded bytes.
        await pipeline(source, counter, createWriteStream(part));
        clearTimeout(idle);
        await rename(part, req.dest);
        const lastModified = Date.parse(res.headers.get('last-modified') ?? '');
        if (req.keepLastModified !== false && !Number.isNaN(lastModified)) {
          const when = new Date(lastModified);
          await utimes(req.dest, when, when).catch(() => {});
        }
        return { outcome: 'written', status: res.status, bytes, attempts: attempt };
      } catch (error) {
        clearTimeout(idle);
        await rm(part, { force: true });
        if (req.signal?.aborted) throw error;
        const kind = classifyNetworkError(error) ?? (controller.signal.aborted ? 'timeout' : undefined);
        if (!kind || last) throw kind ? networkError(req.url, error, attempt) : error;
        await waitBeforeRetry(req.url, attempt, kind, undefined, undefined, req.signal);
      }
    }
  }

  return { request, download, options: opts };
}
