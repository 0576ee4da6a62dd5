/**
 * A monitor run: the schedule fires ticks, each tick sends one probe (or is counted as missed when
 * the endpoint's previous probe is still running or the in-flight cap is full), and each ended probe
 * becomes a record that is appended to probes.jsonl, added to the statistics and the Prometheus
 * metrics, and fed to the endpoint's alert state, whose events go to the alert channels.
 */
import http from 'node:http';
import https from 'node:https';
import type { ResolvedInvocation } from '@kagg/core/endpoints';
import { safeUrl } from '@kagg/core/http';
import { type AlertPolicy, AlertState } from './alerts.js';
import type { Clock } from './clock.js';
import { detectCold } from './cold.js';
import { type Condition, type ConditionResult, evaluate } from './conditions.js';
import type { Channel, Delivery } from './notify.js';
import { type ProbeAnswer, probe } from './probe.js';
import type { Metrics } from './prometheus.js';
import type { MissedRecord, ProbeMode, ProbeRecord } from './record.js';
import { runSchedule } from './scheduler.js';
import { type EndpointSummary, RunStats } from './stats.js';
import { type RunMeta, RunWriter } from './store.js';

/** An endpoint as core resolves it (URL, target headers, signer), named for records and labels. */
export type MonitoredEndpoint = ResolvedInvocation;

export interface MonitorOptions {
  id: string;
  home: string;
  endpoints: MonitoredEndpoint[];
  intervalMs: number;
  durationMs: number;
  mode: ProbeMode;
  /** JSON payload: probes POST it; without it they GET the endpoint's health answer. */
  data?: string;
  conditions: Condition[];
  timeoutMs: number;
  maxInFlight: number;
  /** Idle gap after which a slow answer counts as cold when no x-kagg-cold header says. */
  coldIdleMs: number;
  alerts: AlertPolicy;
  channels: Channel[];
  metrics?: Metrics;
  clock: Clock;
  signal: AbortSignal;
  /** After each probe or missed tick (the live status line). */
  onRecord?: (record: ProbeRecord | MissedRecord, summary: EndpointSummary) => void;
  onAlert?: (event: import('./alerts.js').AlertEvent) => void;
}

export interface MonitorResult {
  run: string;
  dir: string;
  startedAt: string;
  finishedAt: string;
  stoppedBy: 'duration' | 'interrupt';
  endpoints: Array<EndpointSummary & { alertTriggered: boolean }>;
  deliveries: Delivery[];
}

interface EndpointState {
  spec: MonitoredEndpoint;
  busy: boolean;
  lastAnswerAt: number | null;
  alert: AlertState;
  agent: http.Agent;
}

export class Monitor {
  private inFlightCount = 0;
  private readonly pending = new Set<Promise<void>>();
  private readonly stats: RunStats;
  private readonly states: EndpointState[];
  private start = 0;
  private writer: RunWriter | undefined;

  constructor(private readonly o: MonitorOptions) {
    this.stats = new RunStats(o.endpoints.map((e) => ({ name: e.name, target: e.target })));
    this.states = o.endpoints.map((spec) => ({
      spec,
      busy: false,
      lastAnswerAt: null,
      alert: new AlertState(spec.name, spec.target, o.alerts),
      agent: new (spec.url.startsWith('https:') ? https.Agent : http.Agent)({ keepAlive: true, maxSockets: 1 }),
    }));
  }

  /** Probes in flight now. */
  get inFlight(): number {
    return this.inFlightCount;
  }

  async run(): Promise<MonitorResult> {
    const { o } = this;
    const startedAt = new Date(o.clock.wallNow()).toISOString();
    const meta: RunMeta = {
      id: o.id,
      startedAt,
      endpoints: o.endpoints.map((e) => ({ name: e.name, target: e.target, url: safeUrl(e.url) })),
      intervalMs: o.intervalMs,
      durationMs: o.durationMs,
      mode: o.mode,
      conditions: o.conditions.map((c) => c.text),
      failureThreshold: o.alerts.failureThreshold,
      successThreshold: o.alerts.successThreshold,
      timeoutMs: o.timeoutMs,
    };
    this.writer = await RunWriter.create(o.home, meta);
    this.start = o.clock.now();
    try {
      await runSchedule({
        clock: o.clock,
        start: this.start,
        intervalMs: o.intervalMs,
        durationMs: o.durationMs,
        endpoints: o.endpoints.length,
        signal: o.signal,
        onTick: (tick) => this.tick(tick.endpoint, tick.seq, tick.at),
      });
      // Probes still running end (or time out, or are cancelled by Ctrl-C) before the summary.
      while (this.pending.size > 0) await Promise.all(this.pending);
      await Promise.all(o.channels.map((c) => c.flush()));
    } finally {
      for (const s of this.states) s.agent.destroy();
    }
    const stoppedBy = o.signal.aborted ? 'interrupt' : 'duration';
    const finishedAt = new Date(o.clock.wallNow()).toISOString();
    await this.writer.finish(stoppedBy, finishedAt);
    return {
      run: o.id,
      dir: this.writer.dir,
      startedAt,
      finishedAt,
      stoppedBy,
      endpoints: this.states.map((s) => ({ ...this.stats.summary(s.spec.name), alertTriggered: s.alert.triggered })),
      deliveries: o.channels.flatMap((c) => c.deliveries),
    };
  }

  private tick(index: number, seq: number, at: number): void {
    const state = this.states[index] as EndpointState;
    const reason = state.busy ? 'busy' : this.inFlightCount >= this.o.maxInFlight ? 'in-flight-cap' : null;
    if (reason) {
      const missed: MissedRecord = {
        ts: new Date(this.o.clock.wallNow()).toISOString(),
        endpoint: state.spec.name,
        missed: true,
        seq,
        scheduledAt: at - this.start,
        reason,
      };
      this.writer?.append(missed);
      this.stats.add(missed);
      this.o.metrics?.missed(state.spec.name);
      this.o.onRecord?.(missed, this.stats.summary(state.spec.name));
      return;
    }
    state.busy = true;
    this.inFlightCount++;
    const work = this.probeOnce(state, seq, at).finally(() => {
      state.busy = false;
      this.inFlightCount--;
      this.pending.delete(work);
    });
    this.pending.add(work);
  }

  private async probeOnce(state: EndpointState, seq: number, at: number): Promise<void> {
    const { o } = this;
    const { spec } = state;
    const method = o.data !== undefined ? 'POST' : 'GET';
    const headers: Record<string, string> = { 'user-agent': 'kagg-monitor/0.1.0', ...spec.headers };
    if (o.data !== undefined) headers['content-type'] = 'application/json';
    let signError: string | undefined;
    if (spec.sign) {
      try {
        Object.assign(headers, await spec.sign({ method, url: spec.url, headers, body: o.data ?? '' }));
      } catch (error) {
        signError = `signing failed: ${(error as Error).message}`; // expired credentials: a failed probe
      }
    }
    const ts = new Date(o.clock.wallNow()).toISOString();
    const answer = signError
      ? unsent(o.clock.now(), signError)
      : await probe(
          {
            url: spec.url,
            method,
            headers,
            ...(o.data !== undefined ? { body: o.data } : {}),
            timeoutMs: o.timeoutMs,
            agent: state.agent,
            signal: o.signal,
          },
          o.clock,
        );
    if (o.signal.aborted && answer.status === null) return; // cancelled by Ctrl-C: not a probe result
    const answered = answer.status !== null;
    const latencyMs = answered ? answer.endAt - answer.sentAt : null;
    const warmMedian = this.stats.summary(spec.name).warm;
    const cold = detectCold({
      headers: answer.headers,
      latencyMs,
      idleMs: state.lastAnswerAt === null ? null : answer.sentAt - state.lastAnswerAt,
      warmMedianMs: warmMedian.n >= 3 ? warmMedian.p50 : null,
      coldIdleMs: o.coldIdleMs,
    });
    if (answered) state.lastAnswerAt = answer.endAt;
    const conditions: ConditionResult[] = answered
      ? o.conditions.map((c) =>
          evaluate(c, {
            status: answer.status,
            responseTimeMs: latencyMs ?? 0,
            body: answer.body,
            headers: answer.headers,
            cold: cold.cold,
          }),
        )
      : [];
    const ok = answered && conditions.every((c) => c.ok);
    const record: ProbeRecord = {
      ts,
      endpoint: spec.name,
      target: spec.target,
      mode: o.mode,
      seq,
      scheduledAt: round(at - this.start),
      sentAt: round(answer.sentAt - this.start),
      status: answer.status,
      ok,
      error: answer.error,
      latencyMs: latencyMs === null ? null : round(latencyMs),
      scheduledLatencyMs: answered ? round(answer.endAt - at) : null,
      phases: answer.phases && {
        dnsMs: round(answer.phases.dnsMs),
        connectMs: round(answer.phases.connectMs),
        tlsMs: round(answer.phases.tlsMs),
        ttfbMs: round(answer.phases.ttfbMs),
        transferMs: round(answer.phases.transferMs),
      },
      bytesIn: answer.bytesIn,
      cold: cold.cold,
      coldSource: cold.source,
      initMs: cold.initMs,
      instanceId: cold.instanceId,
      conditions,
    };
    this.writer?.append(record);
    this.stats.add(record);
    o.metrics?.observe(record);
    const event = state.alert.observe({
      ok,
      at: answer.endAt,
      ts,
      reason:
        answer.error ??
        conditions
          .filter((c) => !c.ok)
          .map((c) => `${c.expr} (${c.resolved})`)
          .join('; '),
      conditions,
    });
    o.metrics?.setUp(spec.name, !state.alert.triggered);
    if (event) {
      o.onAlert?.(event);
      for (const channel of o.channels) channel.send(event, 'kagg-monitor');
    }
    o.onRecord?.(record, this.stats.summary(spec.name));
  }
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

function unsent(now: number, error: string): ProbeAnswer {
  return { status: null, error, sentAt: now, endAt: now, phases: null, headers: {}, body: null, bytesIn: 0 };
}
