/**
 * What got leaves to kagg when it retries: whether a failed connection can have reached the server
 * (a non-idempotent request is repeated only when it cannot), and the backoff step with its jitter.
 */

/** Error codes of connections that failed before any byte of the request reached the server. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
/** got's timeout phases that end before the request is sent. */
const NOT_SENT_PHASES = new Set(['lookup', 'connect', 'secureConnect']);

export type NetworkFailure = 'not-sent' | 'broken' | 'timeout' | undefined;

/** Classifies got's error of a failed attempt; `undefined` means it was not a network failure. */
export function classifyNetworkError(error: { code?: string; event?: string; name?: string }): NetworkFailure {
  if (error.name === 'TimeoutError') return NOT_SENT_PHASES.has(error.event ?? '') ? 'not-sent' : 'timeout';
  if (!error.code || error.code.startsWith('ERR_GOT') || error.code === 'ERR_NON_2XX_3XX_RESPONSE') return undefined;
  return NOT_SENT_CODES.has(error.code) ? 'not-sent' : 'broken';
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

/** Waits `ms`, or rejects with the signal's reason as soon as it fires (Ctrl-C while polling). */
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
