/**
 * Is this answer a cold start? kagg's runtime says so itself (`x-kagg-cold: 1` on an instance's first
 * answer, with `x-kagg-init-ms` and `x-kagg-instance`). For endpoints that do not carry the header, a
 * heuristic: after an idle gap of at least `coldIdleMs` (or on the first probe), an answer much slower
 * than the warm median is taken as cold; without a warm median yet, it is unknown (null).
 */
export interface ColdVerdict {
  cold: boolean | null;
  source: 'header' | 'heuristic' | null;
  initMs: number | null;
  instanceId: string | null;
}

export interface ColdInput {
  headers: Record<string, string>;
  latencyMs: number | null;
  /** Milliseconds since this endpoint's previous answer; null for the first probe. */
  idleMs: number | null;
  /** Median of the endpoint's warm answers so far; null until there are some. */
  warmMedianMs: number | null;
  coldIdleMs: number;
}

export function detectCold(input: ColdInput): ColdVerdict {
  const header = input.headers['x-kagg-cold'];
  const initRaw = input.headers['x-kagg-init-ms'];
  const initMs = initRaw !== undefined && Number.isFinite(Number(initRaw)) ? Number(initRaw) : null;
  const instanceId = input.headers['x-kagg-instance'] ?? null;
  if (header === '1' || header === '0' || header === 'true' || header === 'false') {
    return { cold: header === '1' || header === 'true', source: 'header', initMs, instanceId };
  }
  if (input.latencyMs === null) return { cold: null, source: null, initMs, instanceId };
  const afterIdle = input.idleMs === null || input.idleMs >= input.coldIdleMs;
  if (!afterIdle) return { cold: false, source: 'heuristic', initMs, instanceId };
  if (input.warmMedianMs === null) return { cold: null, source: null, initMs, instanceId };
  const slow = input.latencyMs >= Math.max(2 * input.warmMedianMs, input.warmMedianMs + 100);
  return { cold: slow, source: 'heuristic', initMs, instanceId };
}
