/**
 * The one HTTP client of kagg, on got: its retries (429, 5xx, broken connections; exponential
 * backoff with jitter; `Retry-After` honoured up to a cap), per-phase timeouts, hooks, abort signal
 * and streams. got is imported at the first request, so importing this module costs nothing at
 * start-up. What got does not do is kept, each with its reason:
 * - the adaptive (AIMD) rate limiter (rate-limiter.ts): got paces nothing, and Kaggle's limit is per
 *   account, so every concurrent call of the process must share one pace that backs off on a 429;
 * - a non-idempotent request repeated only when it cannot have reached the server: got decides by
 *   method alone, and a repeated SaveKernel would make two versions;
 * - no partial file and never an error body on disk: got.stream writes wherever it is piped,
 *   whatever the status and however the transfer ends;
 * - every failure a KaggError with a code and an action: got's error text names got's internals,
 *   not what the user can do.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { readdir, rename, rm, utimes } from 'node:fs/promises';
import type { IncomingHttpHeaders } from 'node:http';
import path from 'node:path';
import type { Got, Request as GotRequest, Response as GotResponse, RequestError, RetryObject } from 'got';
import { isKaggError, KaggError } from '../errors/index.js';
import { isProcessAlive } from '../fs/lock.js';
import { type GotBundle, loadGot } from './got.js';
import type { RateLimiter } from './rate-limiter.js';
import { backoffDelay, classifyNetworkError } from './retry.js';

export interface HttpClientOptions {
  /** Per attempt, per phase: connecting, sending, waiting for the headers, and the longest silence of the socket. */
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
  /** Called when a retry is decided, before its wait (for progress displays and tests). */
  onRetry?: (info: RetryInfo) => void;
  /** Receives the progress of every download (a progress display). */
  onDownloadProgress?: (progress: DownloadProgress) => void;
}

export interface RetryInfo {
  url: string;
  attempt: number;
  delayMs: number;
  reason: string;
}

export interface DownloadProgress {
  /** The URL without its query string. */
  url: string;
  /** Bytes received so far by this attempt. */
  transferred: number;
  /** The body's length when the server declared it. */
  total?: number;
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
  /** Asked before each redirect is followed (before any connection to `to`): throws a KaggError to refuse it. */
  checkRedirect?: (from: string, to: string) => void;
}

export interface HttpResponse<T = unknown> {
  status: number;
  headers: ResponseHeaders;
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
  skip?: (response: { status: number; headers: ResponseHeaders }) => boolean;
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
  readonly options: Readonly<Required<Omit<HttpClientOptions, 'rateLimiter' | 'onRetry' | 'onDownloadProgress'>>>;
}

function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  return Number.isFinite(value) && value >= 0 ? value : fallback;
}

/**
 * How long any network call of kagg may stay silent (connecting, or waiting for the next bytes):
 * `KAGG_HTTP_TIMEOUT_MS`, default 60 s. The provider SDKs' clients take it too.
 */
export function httpTimeoutMs(): number {
  return envNumber('KAGG_HTTP_TIMEOUT_MS', 60_000);
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);
/** got asks these first; `retryDelay` below then applies kagg's rule for non-idempotent requests. */
const RETRY_METHODS = ['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'POST', 'PATCH'];
const RETRY_STATUSES = [408, 429, 500, 502, 503, 504, 505, 506, 507, 508, 509, 510, 511, 521, 522, 524];
const RETRY_ERRORS = [
  'ETIMEDOUT',
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ERR_HTTP_CONTENT_LENGTH_MISMATCH',
];

/** The URL without its query string (signed URLs carry credentials there). */
export function safeUrl(url: string | URL | undefined): string {
  try {
    const u = new URL(String(url));
    return `${u.origin}${u.pathname}`;
  } catch {
    return String(url).split('?')[0] ?? '';
  }
}

/**
 * A response's headers, read as WHATWG `Headers` are read (any case; repeated ones joined by `, `).
 * Not `Headers` itself: its first use loads undici, fetch's implementation (~40 ms of CPU per process).
 */
export class ResponseHeaders {
  readonly #values = new Map<string, string>();
  constructor(raw: IncomingHttpHeaders = {}) {
    for (const [name, value] of Object.entries(raw)) {
      if (value !== undefined) this.#values.set(name.toLowerCase(), Array.isArray(value) ? value.join(', ') : value);
    }
  }
  get(name: string): string | null {
    return this.#values.get(name.toLowerCase()) ?? null;
  }
  has(name: string): boolean {
    return this.#values.has(name.toLowerCase());
  }
  /** In name order, as `Headers` iterates. */
  forEach(callback: (value: string, name: string) => void): void {
    for (const name of [...this.#values.keys()].sort()) callback(this.#values.get(name) as string, name);
  }
}

interface Context extends Record<string, unknown> {
  idempotent: boolean;
}

/** Removes the temporary files of `dest` left by downloads whose process died (a kill -9 mid-transfer). */
async function removeOrphanParts(dest: string): Promise<void> {
  const dir = path.dirname(dest);
  const prefix = `${path.basename(dest)}.kagg-part-`;
  const names = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(
    names
      .filter((name) => name.startsWith(prefix))
      .map((name) => {
        const pid = Number.parseInt(name.slice(prefix.length), 10);
        return pid > 0 && pid !== process.pid && !isProcessAlive(pid)
          ? rm(path.join(dir, name), { force: true })
          : undefined;
      }),
  );
}

export function createHttpClient(options: HttpClientOptions = {}): HttpClient {
  const opts = {
    timeoutMs: options.timeoutMs ?? httpTimeoutMs(),
    retries: options.retries ?? envNumber('KAGG_HTTP_RETRIES', 6),
    retryBaseMs: options.retryBaseMs ?? envNumber('KAGG_HTTP_RETRY_BASE_MS', 500),
    retryMaxMs: options.retryMaxMs ?? envNumber('KAGG_HTTP_RETRY_MAX_MS', 30_000),
    maxRetryAfterMs: options.maxRetryAfterMs ?? envNumber('KAGG_HTTP_MAX_RETRY_AFTER_MS', 60_000),
    userAgent: options.userAgent ?? `kagg/0.1.0 node/${process.versions.node}`,
  };
  const limiter = options.rateLimiter;

  /**
   * got's calculateDelay, called once got's own rules (limit, methods, statusCodes, errorCodes) allow
   * a retry. It adds the idempotency rule got has no notion of, waits `Retry-After` up to the cap
   * (got would give up instead), and announces the retry here: got runs `beforeRetry` only after the
   * wait, too late for a "retrying in N s" line.
   */
  function retryDelay({ attemptCount, error, retryAfter }: RetryObject): number {
    const idempotent = (error.options.context as Context).idempotent;
    const status = error.response?.statusCode;
    const kind = status === undefined ? classifyNetworkError(error) : undefined;
    if (status !== undefined ? status !== 429 && !idempotent : !kind || (kind !== 'not-sent' && !idempotent)) return 0;
    const delayMs = Math.max(
      1,
      retryAfter !== undefined
        ? Math.min(retryAfter, opts.maxRetryAfterMs)
        : backoffDelay(attemptCount, opts.retryBaseMs, opts.retryMaxMs),
    );
    // A 429 is about the whole client, not this call: hold every caller sharing the limiter.
    if (limiter && status === 429) limiter.pauseUntil(Date.now() + delayMs);
    const reason = status !== undefined ? `HTTP ${status}` : (kind as string);
    options.onRetry?.({ url: safeUrl(error.options.url), attempt: attemptCount, delayMs, reason });
    return delayMs;
  }

  let instance: Promise<{ got: Got; lib: GotBundle; proxy: typeof import('./proxy.js') }> | undefined;
  /** got and the proxy agents, imported at the first request (neither is loaded before). */
  function client() {
    instance ??= Promise.all([loadGot(), import('./proxy.js')]).then(([lib, proxy]) => ({
      lib,
      proxy,
      got: lib.got.extend({
        agent: proxy.sharedProxyAgents(),
        timeout: {
          lookup: opts.timeoutMs,
          connect: opts.timeoutMs,
          secureConnect: opts.timeoutMs,
          send: opts.timeoutMs,
          response: opts.timeoutMs,
          socket: opts.timeoutMs,
        },
        retry: {
          limit: opts.retries,
          methods: RETRY_METHODS,
          statusCodes: RETRY_STATUSES,
          errorCodes: RETRY_ERRORS,
          // Retry-After is capped in retryDelay, not refused.
          maxRetryAfter: Number.POSITIVE_INFINITY,
          backoffLimit: opts.retryMaxMs,
          calculateDelay: retryDelay,
        },
        // A body that ends before its Content-Length is a broken transfer (retried), never a complete one.
        strictContentLength: true,
        hooks: {
          beforeRequest: [
            async (o) => {
              // Every attempt, retries included, waits for the shared limiter's token.
              if (limiter) await limiter.take();
              o.headers['user-agent'] = opts.userAgent;
            },
          ],
        },
      }),
    }));
    return instance;
  }

  /** Every failure as a KaggError naming the URL, or the caller's own abort reason. */
  async function failure(url: string, error: unknown, signal: AbortSignal | undefined): Promise<unknown> {
    if (signal?.aborted) return signal.reason;
    // kagg's own error from a hook (a refused redirect), which got wraps
    const own = [error, (error as { cause?: unknown } | undefined)?.cause].find(isKaggError);
    if (own) return own;
    const { lib, proxy } = await client();
    if (!(error instanceof lib.RequestError)) return error;
    const attempts = ((error as RequestError & { request?: { retryCount?: number } }).request?.retryCount ?? 0) + 1;
    const through = proxy.proxyForUrl(url);
    const via = through ? ` through the proxy ${proxy.proxyLabel(through)}` : '';
    const why =
      error instanceof lib.TimeoutError
        ? `no answer within ${opts.timeoutMs} ms (${error.event})`
        : /^Bad response: \d+/.test(error.message)
          ? `the proxy refused the tunnel: ${error.message.replace('Bad response: ', 'HTTP ')}`
          : error.code;
    return new KaggError(
      `Could not reach ${safeUrl(url)}${via} (${why}) after ${attempts} attempt${attempts === 1 ? '' : 's'}.`,
      {
        code: 'HTTP_NETWORK',
        action: /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/.test(error.code)
          ? 'If a proxy or the network inspects TLS, trust its CA certificate with NODE_EXTRA_CA_CERTS=/path/to/ca.pem.'
          : through
            ? 'Check the network connection and the proxy settings (HTTPS_PROXY, HTTP_PROXY, NO_PROXY), then retry.'
            : 'Check the network connection and retry.',
        cause: error,
      },
    );
  }

  async function request<T = unknown>(req: HttpRequest): Promise<HttpResponse<T>> {
    const { got } = await client();
    const method = (req.method ?? 'GET').toUpperCase();
    const responseType = req.responseType ?? 'json';
    const max = req.maxBytes;
    // got has no size limit: a body past `maxBytes` (declared or streamed) aborts the request.
    const cut = max === undefined ? undefined : new AbortController();
    const signal = cut && req.signal ? AbortSignal.any([req.signal, cut.signal]) : (cut?.signal ?? req.signal);
    const pending = got(req.url, {
      method,
      headers: { accept: 'application/json, */*', ...req.headers },
      ...(req.json !== undefined ? { json: req.json } : req.body !== undefined ? { body: req.body } : {}),
      responseType: responseType === 'buffer' ? 'buffer' : 'text',
      throwHttpErrors: false,
      context: { idempotent: req.idempotent ?? IDEMPOTENT.has(method) } satisfies Context,
      ...(signal ? { signal } : {}),
      ...(req.checkRedirect
        ? { hooks: { beforeRedirect: [(next, response) => req.checkRedirect?.(response.url, String(next.url))] } }
        : {}),
    });
    if (cut && max !== undefined) {
      pending.on('downloadProgress', ({ transferred, total }) => {
        if (transferred > max || (total ?? 0) > max) cut.abort();
      });
    }
    let res: GotResponse<string | Buffer>;
    try {
      res = (await pending) as GotResponse<string | Buffer>;
    } catch (error) {
      if (cut?.signal.aborted && !req.signal?.aborted) {
        throw new KaggError(`${safeUrl(req.url)} answered more than ${max} bytes, the limit for it`, {
          code: 'HTTP_TOO_LARGE',
          action: 'Check that the URL names the file meant (a notebook with large outputs: strip them first).',
        });
      }
      throw await failure(req.url, error, req.signal);
    }
    let text = '';
    let body: unknown;
    if (responseType === 'buffer') body = res.body;
    else {
      text = res.body as string;
      if (responseType === 'text') body = text;
      else if (text.length > 0) {
        try {
          body = JSON.parse(text);
        } catch {
          body = undefined;
        }
      }
    }
    return {
      status: res.statusCode,
      headers: new ResponseHeaders(res.headers),
      body: body as T,
      text,
      url: req.url,
      attempts: res.retryCount + 1,
    };
  }

  async function download(req: DownloadRequest): Promise<DownloadResult> {
    const { got, lib } = await client();
    const headers: Record<string, string> = { accept: '*/*', ...req.headers };
    if (req.ifModifiedSince) headers['if-modified-since'] = req.ifModifiedSince.toUTCString();
    const part = `${req.dest}.kagg-part-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    await removeOrphanParts(req.dest);
    const url = safeUrl(req.url);

    /**
     * One attempt of got's stream. got decides every retry and hands over the next attempt's stream
     * through its `retry` event; this only writes a 2xx body to the temporary file, and drops it
     * when the attempt fails.
     */
    const attempt = (stream: GotRequest): Promise<DownloadResult> =>
      new Promise((resolve, reject) => {
        let file: WriteStream | undefined;
        let dropping = false;
        const drop = async () => {
          dropping = true;
          if (file) {
            // Unpiped first: got may still push the failed attempt's last bytes into a closed file.
            stream.unpipe(file);
            if (!file.closed) await new Promise<void>((r) => file?.destroy().once('close', () => r()));
          }
          await rm(part, { force: true });
        };
        const attempts = () => stream.retryCount + 1;
        stream.once('retry', (_count: number, _error: unknown, next: () => GotRequest) => {
          drop().then(() => attempt(next()).then(resolve, reject), reject);
        });
        stream.once('error', (error: unknown) => {
          drop().then(() => {
            // The last answer was not a 2xx: nothing written, and the caller says what it was.
            if (error instanceof lib.HTTPError) {
              const errorText = String(error.response.body ?? '').slice(0, 300);
              resolve({
                outcome: 'failed',
                status: error.response.statusCode,
                bytes: 0,
                attempts: attempts(),
                ...(errorText ? { errorText } : {}),
              });
            } else failure(req.url, error, req.signal).then(reject);
          }, reject);
        });
        if (options.onDownloadProgress) {
          stream.on('downloadProgress', ({ transferred, total }) =>
            options.onDownloadProgress?.({ url, transferred, ...(total ? { total } : {}) }),
          );
        }
        stream.once('response', (res: { statusCode: number; headers: IncomingHttpHeaders }) => {
          const done = (outcome: 'not-modified' | 'skipped') => {
            stream.destroy();
            resolve({ outcome, status: res.statusCode, bytes: 0, attempts: attempts() });
          };
          if (res.statusCode === 304) return done('not-modified');
          if (req.skip?.({ status: res.statusCode, headers: new ResponseHeaders(res.headers) })) return done('skipped');
          const out = createWriteStream(part);
          file = out;
          // Writing the file failed (disk full, permissions): no retry helps; nothing is left behind.
          out.on('error', (error) => {
            if (dropping) return;
            stream.destroy();
            drop().then(() => reject(error), reject);
          });
          stream.pipe(out);
          // Only a body that ended complete (got checks Content-Length) reaches 'finish'; a failed
          // attempt is settled by the `retry` or `error` handler above.
          out.once('finish', async () => {
            try {
              await rename(part, req.dest);
              const lastModified = Date.parse(String(res.headers['last-modified'] ?? ''));
              if (req.keepLastModified !== false && !Number.isNaN(lastModified)) {
                const when = new Date(lastModified);
                await utimes(req.dest, when, when).catch(() => {});
              }
              resolve({ outcome: 'written', status: res.statusCode, bytes: out.bytesWritten, attempts: attempts() });
            } catch (error) {
              await rm(part, { force: true });
              reject(error);
            }
          });
        });
      });

    return attempt(
      got.stream(req.url, {
        headers,
        context: { idempotent: true } satisfies Context,
        ...(req.signal ? { signal: req.signal } : {}),
      }),
    );
  }

  return { request, download, options: opts };
}
