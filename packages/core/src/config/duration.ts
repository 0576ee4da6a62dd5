/**
 * Durations, read the same way by every command (`--timeout`, `--since`, `--duration`, `--interval`):
 * a number with a unit (`500ms`, `90s`, `30m`, `2h`, `1d`, combined as in `1h30m`), or a bare number
 * of seconds (`90`).
 */
import { usageError } from '../errors/index.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `text` in milliseconds; a usage error naming `flag` when it is not a positive duration. */
export function parseDuration(text: string, flag: string): number {
  const trimmed = text.trim();
  let total = 0;
  let end = 0;
  if (/^\d+(?:\.\d+)?$/.test(trimmed)) {
    total = Number(trimmed) * 1000;
    end = trimmed.length;
  } else {
    const part = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
    for (let m = part.exec(trimmed); m; m = part.exec(trimmed)) {
      total += Number(m[1]) * (UNITS[m[2] as string] as number);
      end = part.lastIndex;
    }
  }
  if (trimmed === '' || end !== trimmed.length || !(total > 0)) {
    throw usageError(
      `${flag} "${text}" is not a duration: use seconds (90) or a number with a unit (500ms, 90s, 30m, 1h30m)`,
      {
        code: 'DURATION_INVALID',
      },
    );
  }
  return Math.round(total);
}

/** 1500 → "1.5s", 600000 → "10m": for messages. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${+(ms / 1000).toFixed(1)}s`;
  if (ms < 3_600_000) return `${+(ms / 60_000).toFixed(1)}m`;
  return `${+(ms / 3_600_000).toFixed(1)}h`;
}
