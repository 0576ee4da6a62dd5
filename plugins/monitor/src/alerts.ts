/**
 * The alert state machine of one (endpoint, alert), as Gatus does it: `failureThreshold` failed
 * probes in a row trigger it, `successThreshold` passing probes in a row resolve it; a failure resets
 * the success count and the other way round. While triggered, a reminder goes out every
 * `reminderMs` (off when 0). Each event carries a dedup key, `kagg:<endpoint>:<alert>`, the same
 * for the trigger, its reminders and its resolve, so receivers (PagerDuty, Alertmanager) pair them.
 */
import type { ConditionResult } from './conditions.js';

export interface AlertPolicy {
  failureThreshold: number;
  successThreshold: number;
  /** 0: no reminders. */
  reminderMs: number;
}

export type AlertEventKind = 'trigger' | 'reminder' | 'resolve';

export interface AlertEvent {
  kind: AlertEventKind;
  endpoint: string;
  target: string;
  alert: string;
  dedupKey: string;
  /** Wall-clock ISO time the alert started (first failing probe of the streak that triggered it). */
  startsAt: string;
  /** Wall-clock ISO time it resolved (resolve only). */
  endsAt: string | null;
  /** Failed probes in a row when the trigger fired. */
  failures: number;
  /** What the latest probe saw: condition results or the network error. */
  reason: string;
  conditions: ConditionResult[];
}

export interface ProbeVerdict {
  ok: boolean;
  /** Monotonic ms (for reminders). */
  at: number;
  /** Wall-clock ISO (for the payload). */
  ts: string;
  reason: string;
  conditions: ConditionResult[];
}

export class AlertState {
  private failures = 0;
  private successes = 0;
  private streakStart: string | null = null;
  private triggeredAt: string | null = null;
  private lastSent = 0;

  constructor(
    readonly endpoint: string,
    readonly target: string,
    readonly policy: AlertPolicy,
    readonly alert = 'availability',
  ) {}

  get triggered(): boolean {
    return this.triggeredAt !== null;
  }

  get dedupKey(): string {
    return `kagg:${this.endpoint}:${this.alert}`;
  }

  /** Feeds one probe's verdict; returns the event to deliver, if any. */
  observe(v: ProbeVerdict): AlertEvent | null {
    if (v.ok) {
      this.successes++;
      this.failures = 0;
      this.streakStart = null;
      if (this.triggeredAt !== null && this.successes >= this.policy.successThreshold) {
        const event = this.event('resolve', v, this.triggeredAt, v.ts);
        this.triggeredAt = null;
        return event;
      }
      return null;
    }
    this.failures++;
    this.successes = 0;
    this.streakStart ??= v.ts;
    if (this.triggeredAt === null) {
      if (this.failures < this.policy.failureThreshold) return null;
      this.triggeredAt = this.streakStart;
      this.lastSent = v.at;
      return this.event('trigger', v, this.triggeredAt, null);
    }
    if (this.policy.reminderMs > 0 && v.at - this.lastSent >= this.policy.reminderMs) {
      this.lastSent = v.at;
      return this.event('reminder', v, this.triggeredAt, null);
    }
    return null;
  }

  private event(kind: AlertEventKind, v: ProbeVerdict, startsAt: string, endsAt: string | null): AlertEvent {
    return {
      kind,
      endpoint: this.endpoint,
      target: this.target,
      alert: this.alert,
      dedupKey: this.dedupKey,
      startsAt,
      endsAt,
      failures: this.failures,
      reason: v.reason,
      conditions: v.conditions,
    };
  }
}
