import { usageError } from '@kagg/core/errors';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Parses a duration such as `500ms`, `10s`, `1m30s`, `2h` into milliseconds. A bare number is
 * refused (seconds or milliseconds? the reader cannot tell); so is zero or a negative value.
 */
export function parseDuration(text: string, flag: string): number {
  const trimmed = text.trim();
  const part = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
  let total = 0;
  let end = 0;
  for (let m = part.exec(trimmed); m; m = part.exec(trimmed)) {
    total += Number(m[1]) * (UNITS[m[2] as string] as number);
    end = part.lastIndex;
  }
  if (trimmed === '' || end !== trimmed.length || !(total > 0)) {
    throw usageError(`${flag} "${text}" is not a duration: use a number with a unit, e.g. 500ms, 10s, 5m, 1h30m`, {
      code: 'DURATION_INVALID',
    });
  }
  return total;
}

/** 1500 → "1.5s", 600000 → "10m": for messages. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${+(ms / 1000).toFixed(1)}s`;
  if (ms < 3_600_000) return `${+(ms / 60_000).toFixed(1)}m`;
  return `${+(ms / 3_600_000).toFixed(1)}h`;
}
