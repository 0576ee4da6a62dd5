/**
 * A token bucket shared by every concurrent call that holds it. `take()` resolves when a request may
 * be sent; `pauseUntil()` makes every holder wait (a 429 with Retry-After stops the whole process,
 * not only the call that saw it). Callers are served in arrival order.
 *
 * The rate adapts (additive-increase/multiplicative-decrease, as TCP does): each 429 halves it, once
 * per pause however many calls saw that 429, and it grows back by 10 % a second up to the
 * configured rate. A client configured above what the server allows converges on the server's
 * limit instead of meeting a 429 on every burst.
 */
export interface RateLimiterOptions {
  /** Requests per second (> 0). */
  ratePerSecond: number;
  /** Tokens available at once (default 1: requests evenly spaced). */
  burst?: number;
  /** Time and timers (default: the process's own); tests pass a clock they move by hand. */
  clock?: Clock;
}

/** What the limiter needs of time: a monotonic clock, the wall clock and a timer, all in ms. */
export interface Clock {
  now(): number;
  epochNow(): number;
  setTimeout(callback: () => void, ms: number): void;
}

const systemClock: Clock = {
  now: () => performance.now(),
  epochNow: () => Date.now(),
  setTimeout: (callback, ms) => {
    setTimeout(callback, ms);
  },
};

export class RateLimiter {
  /** The configured (highest) rate. */
  readonly ratePerSecond: number;
  readonly burst: number;
  private rate: number;
  private tokens: number;
  private last: number;
  private pausedUntil = 0;
  private queue: Array<() => void> = [];
  private timer = false;
  private readonly clock: Clock;

  constructor(options: RateLimiterOptions) {
    if (!(options.ratePerSecond > 0)) throw new RangeError('ratePerSecond must be > 0');
    this.ratePerSecond = options.ratePerSecond;
    this.rate = options.ratePerSecond;
    this.burst = Math.max(1, Math.floor(options.burst ?? 1));
    this.tokens = this.burst;
    this.clock = options.clock ?? systemClock;
    this.last = this.clock.now();
  }

  /** Waits for a token. */
  take(): Promise<void> {
    return new Promise((resolve) => {
      this.queue.push(resolve);
      this.drain();
    });
  }

  /** The rate in force now (requests per second), at most `ratePerSecond`. */
  get currentRate(): number {
    return this.rate;
  }

  /** Holds every caller until `epochMs` (wall clock), and halves the rate (the server said 429). */
  pauseUntil(epochMs: number): void {
    const now = this.clock.now();
    const at = now + (epochMs - this.clock.epochNow());
    // One halving per pause: the other calls of the same burst see the same 429.
    if (now >= this.pausedUntil) this.rate = Math.max(this.ratePerSecond / 64, this.rate / 2);
    if (at > this.pausedUntil) {
      this.pausedUntil = at;
      this.tokens = Math.min(this.tokens, 0);
    }
    this.drain();
  }

  private refill(now: number): void {
    const from = Math.max(this.last, this.pausedUntil);
    if (now > from) {
      const seconds = (now - from) / 1000;
      this.tokens = Math.min(this.burst, this.tokens + seconds * this.rate);
      this.rate = Math.min(this.ratePerSecond, this.rate * (1 + 0.1 * seconds));
    }
    this.last = Math.max(now, this.last);
  }

  private drain(): void {
    if (this.timer) return;
    const now = this.clock.now();
    this.refill(now);
    while (this.queue.length > 0 && now >= this.pausedUntil && this.tokens >= 1) {
      this.tokens -= 1;
      this.queue.shift()?.();
    }
    if (this.queue.length === 0) return;
    const waitPause = Math.max(0, this.pausedUntil - now);
    const waitToken = this.tokens >= 1 ? 0 : ((1 - this.tokens) * 1000) / this.rate;
    this.timer = true;
    this.clock.setTimeout(
      () => {
        this.timer = false;
        this.drain();
      },
      Math.max(1, Math.ceil(Math.max(waitPause, waitToken))),
    );
  }
}
