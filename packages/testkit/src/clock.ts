/**
 * A clock that moves only when the test says so, for code that takes one (the HTTP rate limiter):
 * what a test asserts then holds however slow or loaded the machine is.
 */
export class ManualClock {
  private time = 0;
  private readonly epoch: number;
  private timers: Array<{ at: number; seq: number; callback: () => void }> = [];
  private seq = 0;

  constructor(epoch = Date.UTC(2026, 0, 1)) {
    this.epoch = epoch;
  }

  now(): number {
    return this.time;
  }

  epochNow(): number {
    return this.epoch + this.time;
  }

  setTimeout(callback: () => void, ms: number): void {
    this.timers.push({ at: this.time + Math.max(0, ms), seq: this.seq++, callback });
  }

  /** Moves time forward by `ms`, firing due timers in order and letting promises settle after each. */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    await settle();
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers[0];
      if (!next || next.at > end) break;
      this.timers.shift();
      this.time = next.at;
      next.callback();
      await settle();
    }
    this.time = end;
  }

  /** Timers not fired yet. */
  get pending(): number {
    return this.timers.length;
  }
}

/** Lets every promise chain that can move on do so (one macrotask turn). */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
