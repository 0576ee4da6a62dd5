/**
 * `kagg logs NAME [--since 10m] [--tail N] [--follow]`: a deployment's log events from its target.
 * Targets with `logEvents` get since/tail/follow; an older target's `logs` text gets tail only.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { DeployTarget, LogEvent } from '@kagg/plugin-api';
import { parseDuration } from '../config/duration.js';
import { KaggError, usageError } from '../errors/index.js';
import type { EndpointEntry } from '../registry/types.js';

export interface LogsRequest {
  /** `--since`: a duration back from now (`90s`, `10m`, `2h`, `1d`) or an ISO date. */
  since?: string;
  tail?: number;
  follow?: boolean;
  /** How long to wait between two polls when following. */
  pollMs?: number;
}

/** A duration (`10m`, `90` seconds) → now minus it; an ISO date → that time. */
export function sinceTime(since: string, now = Date.now()): number {
  if (/^\d{4}-\d{2}-\d{2}/.test(since.trim())) {
    const date = Date.parse(since);
    if (!Number.isNaN(date)) return date;
  }
  return now - parseDuration(since, '--since');
}

/** One printable line per event: its time, then the message. */
export function formatEvent(event: LogEvent): string {
  return `${new Date(event.timestamp).toISOString()} ${event.message.replace(/\n$/, '')}`;
}

/**
 * Reads the logs of `entry` on `target`, handing each batch to `onEvents`; with `follow`, keeps
 * asking for newer events until `signal` aborts. Returns every event it handed on.
 */
export async function readLogs(
  target: DeployTarget,
  entry: EndpointEntry,
  ctx: Parameters<NonNullable<DeployTarget['logEvents']>>[1],
  request: LogsRequest,
  onEvents: (events: LogEvent[]) => void,
): Promise<LogEvent[]> {
  const since = request.since === undefined ? undefined : sinceTime(request.since);
  if (!target.logEvents) {
    if (!target.logs)
      throw new KaggError(`the ${target.id} target does not provide logs`, { code: 'LOGS_UNSUPPORTED' });
    if (since !== undefined || request.follow) {
      throw usageError(`the ${target.id} target gives its log as text only: --since and --follow do not apply`, {
        code: 'LOGS_UNSUPPORTED',
      });
    }
    const lines = (await target.logs(entry, ctx)).split('\n');
    const kept = request.tail === undefined ? lines : lines.slice(-request.tail);
    const events = kept.map((message) => ({ timestamp: 0, message }));
    onEvents(events);
    return events;
  }
  const all: LogEvent[] = [];
  let batch = await target.logEvents(entry, ctx, {
    ...(since !== undefined ? { since } : {}),
    ...(request.tail !== undefined ? { tail: request.tail } : {}),
  });
  for (;;) {
    onEvents(batch);
    all.push(...batch);
    if (!request.follow) return all;
    // Events of the last millisecond printed may be asked for again: skip those already shown.
    const last = all.at(-1)?.timestamp ?? Date.now();
    const shown = new Set(all.filter((e) => e.timestamp === last).map((e) => e.message));
    try {
      await sleep(request.pollMs ?? 2000, undefined, { signal: ctx.signal });
    } catch {
      return all;
    }
    batch = (await target.logEvents(entry, ctx, { since: last })).filter(
      (e) => e.timestamp > last || !shown.has(e.message),
    );
  }
}
