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
/**
 * libuv timers have whole-millisecond resolution and fire up to 1 ms after their time: the last
 * stretch of a wait is spent in setImmediate turns instead, which lands within a few tenths of a
 * millisecond while still letting I/O run.
 */
const FINE_MS = 1.5;

export const realClock: Clock = {
  now: () => performance.now(),
  wallNow: () => performance.timeOrigin + performance.now(),
  sleepUntil(at, signal) {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      let timer: NodeJS.Timeout | undefined;
      let immediate: NodeJS.Immediate | undefined;
      const onAbort = () => {
        clearTimeout(timer);
        if (immediate) clearImmediate(immediate);
        reject(signal?.reason);
      };
      const arm = () => {
        const wait = at - performance.now();
        if (wait <= 0) {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        } else if (wait <= FINE_MS) {
          immediate = setImmediate(arm);
        } else {
          timer = setTimeout(arm, Math.min(wait - FINE_MS, MAX_TIMER_MS));
        }
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      arm();
    });
  },
};
