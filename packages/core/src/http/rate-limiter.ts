/**
 * A token bucket shared by every concurrent call that holds it. `take()` resolves when a request may
 * be sent; `pauseUntil()` makes every holder wait (a 429 with Retry-After stops the whole process,
 * not only the call that saw it). Callers are served in arrival order.
 */
export interface RateLimiterOptions {
  /** Requests per second (> 0). */
  ratePerSecond: number;
  /** Tokens available at once (default 1: requests evenly spaced). */
  burst?: number;
}

export class RateLimiter {
  readonly ratePerSecond: number;
  readonly burst: number;
  private tokens: number;
  private last: number;
  private pausedUntil = 0;
  private queue: Array<() => void> = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(options: RateLimiterOptions) {
    if (!(options.ratePerSecond > 0)) throw new RangeError('ratePerSecond must be > 0');
    this.ratePerSecond = options.ratePerSecond;
    this.burst = Math.max(1, Math.floor(options.burst ?? 1));
    this.tokens = this.burst;
    this.last = performance.now();
  }

  /** Waits for a token. */
  take(): Promise<void> {
    return new Promise((resolve) => {
      this.queue.push(resolve);
      this.drain();
    });
  }

  /** Holds every caller until `epochMs` (Date.now() clock). */
  pauseUntil(epochMs: number): void {
    const at = performance.now() + (epochMs - Date.now());
    if (at > this.pausedUntil) {
      this.pausedUntil = at;
      this.tokens = Math.min(this.tokens, 0);
    }
    this.drain();
  }

  private refill(now: number): void {
    const from = Math.max(this.last, this.pausedUntil);
    if (now > from) this.tokens = Math.min(this.burst, this.tokens + ((now - from) * this.ratePerSecond) / 1000);
    this.last = Math.max(now, this.last);
  }

  private drain(): void {
    if (this.timer) return;
    const now = performance.now();
    this.refill(now);
    while (this.queue.length > 0 && now >= this.pausedUntil && this.tokens >= 1) {
      this.tokens -= 1;
      this.queue.shift()?.();
    }
    if (this.queue.length === 0) return;
    const waitPause = Math.max(0, this.pausedUntil - now);
    const waitToken = this.tokens >= 1 ? 0 : ((1 - this.tokens) * 1000) / this.ratePerSecond;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.drain();
      },
      Math.max(1, Math.ceil(Math.max(waitPause, waitToken))),
    );
  }
}
