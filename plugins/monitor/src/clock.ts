/**
 * Time as the monitor sees it. `now()` is a monotonic millisecond clock (performance.now() in real
 * runs) used for every latency and schedule; `wallNow()` is epoch milliseconds, for labels only.
 * The scheduler and the probe take a Clock so tests can run them on virtual time.
 */
export interface Clock {
  now(): number;
  wallNow(): number;
  /** Resolves when `now() >= at` (at once when already past), or rejects when `signal` aborts. */
  sleepUntil(at: number, signal?: AbortSignal): Promise<void>;
}

/** setTimeout overflows above 2^31-1 ms (and then fires after 1 ms): long waits go in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export const realClock: Clock = {
  now: () => performance.now(),
  wallNow: () => performance.timeOrigin + performance.now(),
  sleepUntil(at, signal) {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      let timer: NodeJS.Timeout;
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      const arm = () => {
        const wait = at - performance.now();
        if (wait <= 0) {
          signal?.removeEventListener('abort', onAbort);
          resolve();
          return;
        }
        timer = setTimeout(arm, Math.min(wait, MAX_TIMER_MS));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      arm();
    });
  },
};
