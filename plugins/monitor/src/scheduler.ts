/**
 * The open-loop schedule: endpoint i's k-th tick is due at start + offset_i + k·interval, computed
 * from the start every time (never from the previous tick, so late timers do not add up), with the
 * endpoints spread evenly over one interval so N endpoints never fire as one burst.
 */
import type { Clock } from './clock.js';

export interface Tick {
  endpoint: number;
  seq: number;
  /** Clock time the tick was due. */
  at: number;
}

export interface ScheduleOptions {
  clock: Clock;
  start: number;
  intervalMs: number;
  durationMs: number;
  endpoints: number;
  signal: AbortSignal;
  onTick: (tick: Tick) => void;
}

export function offsetOf(endpoint: number, endpoints: number, intervalMs: number): number {
  return (endpoint * intervalMs) / endpoints;
}

/** Resolves when every tick within the duration has fired, or when `signal` aborts. */
export async function runSchedule(o: ScheduleOptions): Promise<void> {
  const end = o.start + o.durationMs;
  const loop = async (endpoint: number) => {
    const first = o.start + offsetOf(endpoint, o.endpoints, o.intervalMs);
    for (let seq = 0; ; seq++) {
      const at = first + seq * o.intervalMs;
      if (at >= end || o.signal.aborted) return;
      try {
        await o.clock.sleepUntil(at, o.signal);
      } catch {
        return; // aborted
      }
      o.onTick({ endpoint, seq, at });
    }
  };
  await Promise.all(Array.from({ length: o.endpoints }, (_, i) => loop(i)));
}
