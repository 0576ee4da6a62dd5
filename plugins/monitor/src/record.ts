/** The probe record: one JSON line per probe in `probes.jsonl`, the source of truth of a run. */
import type { ConditionResult } from './conditions.js';

export type ProbeMode = 'steady' | 'cold';

export interface Phases {
  /** DNS lookup (0 on a reused connection or an IP address). */
  dnsMs: number;
  /** TCP connect (0 on a reused connection). */
  connectMs: number;
  /** TLS handshake (0 for http or a reused connection). */
  tlsMs: number;
  /** From sent to the first byte of the response (headers). */
  ttfbMs: number;
  /** From the first byte to the end of the body. */
  transferMs: number;
}

export interface ProbeRecord {
  /** Wall-clock time the probe was sent (ISO), a label only. */
  ts: string;
  endpoint: string;
  target: string;
  mode: ProbeMode;
  seq: number;
  /** Monotonic milliseconds since the start of the run. */
  scheduledAt: number;
  sentAt: number;
  /** HTTP status; null when no answer came (refused, reset, timeout). */
  status: number | null;
  /** Every condition held. */
  ok: boolean;
  /** Why no answer came (network error or timeout), else null. */
  error: string | null;
  /** From sent to the end of the answer (ms); null when no answer came. */
  latencyMs: number | null;
  /** From the scheduled time to the end of the answer (ms): includes any lateness of the sender. */
  scheduledLatencyMs: number | null;
  phases: Phases | null;
  bytesIn: number;
  /** true/false, or null when neither the header nor the heuristic can tell. */
  cold: boolean | null;
  coldSource: 'header' | 'heuristic' | null;
  initMs: number | null;
  instanceId: string | null;
  conditions: ConditionResult[];
}

/** A tick that came due while the previous probe of the endpoint was still running (or the cap was full). */
export interface MissedRecord {
  ts: string;
  endpoint: string;
  missed: true;
  seq: number;
  scheduledAt: number;
  reason: 'busy' | 'in-flight-cap';
}

export type RunLine = ProbeRecord | MissedRecord;

export function isMissed(line: RunLine): line is MissedRecord {
  return (line as MissedRecord).missed === true;
}
