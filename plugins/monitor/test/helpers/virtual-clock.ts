/**
 * Virtual time for the monitor. Time moves only when the test says (`advance`, e.g. a test server
 * "taking" 120 ms to answer) or, when nothing is busy, by jumping to the earliest sleeper. So a run
 * of 300 probes at a 1 s interval takes milliseconds of wall time, and every latency the monitor
 * measures is exactly the one the server was told to take: no wall-clock assertion anywhere.
 */
import type { Clock } from '@kagg/plugin-monitor';

interface Sleeper {
  at: number;
  resolve: () => void;
}

export class VirtualClock implements Clock {
  private t = 0;
  private sleepers: Sleeper[] = [];
  private pumping = false;
  /** While true, time does not jump (a probe is in flight: only the server moves time). */
  busy: () => boolean = () => false;

  now(): number {
    return this.t;
  }

  wallNow(): number {
    return Date.UTC(2026, 0, 1) + this.t;
  }

  advance(ms: number): void {
    this.t += ms;
    this.release();
  }

  sleepUntil(at: number, signal?: AbortSignal): Promise<void> {
    if (at <= this.t) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const sleeper = { at, resolve };
      this.sleepers.push(sleeper);
      signal?.addEventListener(
        'abort',
        () => {
          this.sleepers = this.sleepers.filter((s) => s !== sleeper);
          reject(signal.reason);
        },
        { once: true },
      );
      this.pump();
    });
  }

  private release(): void {
    const due = this.sleepers.filter((s) => s.at <= this.t).sort((a, b) => a.at - b.at);
    this.sleepers = this.sleepers.filter((s) => s.at > this.t);
    for (const s of due) s.resolve();
  }

  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    const step = () => {
      if (this.sleepers.length === 0) {
        this.pumping = false;
        return;
      }
      if (!this.busy()) {
        this.t = Math.max(this.t, Math.min(...this.sleepers.map((s) => s.at)));
        this.release();
      }
      setTimeout(step, 0);
    };
    setTimeout(step, 0);
  }
}
