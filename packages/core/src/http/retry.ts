/**
 * When to retry and how long to wait: exponential backoff with jitter, and `Retry-After` (seconds or
 * an HTTP date) honoured up to a cap.
 */

/** Error codes of connections that failed before any byte of the request reached the server. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);
/** Error codes of connections that broke while a request was in flight. */
const BROKEN_CODES = new Set([
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'ECONNABORTED',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** The system error code of a fetch failure (`TypeError: fetch failed` keeps it in `cause`). */
export function networkErrorCode(error: unknown): string | undefined {
  let e: unknown = error;
  for (let depth = 0; depth < 4 && e && typeof e === 'object'; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

export type NetworkFailure = 'not-sent' | 'broken' | 'timeout' | undefined;

/** Classifies a thrown fetch error; `undefined` means it was not a network failure. */
export function classifyNetworkError(error: unknown): NetworkFailure {
  if (error && typeof error === 'object' && (error as { name?: string }).name === 'TimeoutError') return 'timeout';
  const code = networkErrorCode(error);
  if (code && NOT_SENT_CODES.has(code)) return 'not-sent';
  if (code && BROKEN_CODES.has(code)) return 'broken';
  if (error instanceof TypeError && /fetch failed|terminated|other side closed/i.test(String(error.message)))
    return 'broken';
  return undefined;
}

/** Whether an HTTP status is worth another attempt. Non-idempotent requests retry only on 429. */
export function isRetryableStatus(status: number, idempotent: boolean): boolean {
  if (status === 429) return true;
  if (!idempotent) return false;
  return status >= 500 && status <= 599 && status !== 501;
}

/** Milliseconds to wait according to a Retry-After header value, or undefined when absent/invalid. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** Exponential backoff with "equal jitter": half fixed, half random. `attempt` starts at 1. */
export function backoffDelay(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const exp = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
  return Math.round(exp / 2 + random() * (exp / 2));
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
