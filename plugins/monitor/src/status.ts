/**
 * What the user sees while a monitor runs, on stderr: on a terminal that redraws (not CI, not
 * TERM=dumb) one status line rewritten in place (at most 10 times a second); when piped, one plain line per probe and per alert, easy to grep.
 */
import type { AlertEvent } from './alerts.js';
import type { Delivery } from './notify.js';
import { isMissed, type MissedRecord, type ProbeRecord } from './record.js';
import type { EndpointSummary } from './stats.js';

export interface StatusStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

export class LiveStatus {
  private lastDraw = 0;
  private readonly latest = new Map<string, EndpointSummary>();
  private drawn = false;

  /** `live`: redraw one line in place (the command passes core's `canRedraw`); else plain lines. */
  constructor(
    private readonly stream: StatusStream,
    private readonly endsAt: number,
    private readonly live: boolean = Boolean(stream.isTTY),
  ) {}

  record(r: ProbeRecord | MissedRecord, summary: EndpointSummary): void {
    this.latest.set(summary.endpoint, summary);
    if (!this.live) {
      this.stream.write(`${lineOf(r)}\n`);
      return;
    }
    const now = Date.now();
    if (now - this.lastDraw < 100) return;
    this.lastDraw = now;
    this.draw();
  }

  alert(e: AlertEvent): void {
    this.message(
      `${e.kind === 'resolve' ? 'RESOLVED' : e.kind === 'trigger' ? 'ALERT' : 'REMINDER'} ${e.endpoint}: ${e.kind === 'resolve' ? 'passing again' : e.reason}`,
    );
  }

  delivery(d: Delivery): void {
    if (!d.ok) this.message(`Warning: ${d.kind} for ${d.endpoint} not delivered to --${d.channel}: ${d.error}`);
  }

  message(text: string): void {
    this.clear();
    this.stream.write(`${text}\n`);
    if (this.live) this.draw();
  }

  stop(): void {
    this.clear();
  }

  private clear(): void {
    if (this.live && this.drawn) {
      this.stream.write('\r\x1b[K');
      this.drawn = false;
    }
  }

  private draw(): void {
    let probes = 0;
    let ok = 0;
    let cold = 0;
    let p95 = 0;
    for (const s of this.latest.values()) {
      probes += s.probes;
      ok += s.ok;
      cold += s.coldStarts;
      p95 = Math.max(p95, s.latency.p95 ?? 0);
    }
    const left = Math.max(0, Math.round((this.endsAt - Date.now()) / 1000));
    const avail = probes === 0 ? '-' : `${((ok / probes) * 100).toFixed(1)}%`;
    const cols = (this.stream as { columns?: number }).columns ?? 100;
    const text = `${this.latest.size} endpoint(s) · ${probes} probes · ${avail} ok · worst p95 ${p95.toFixed(1)} ms · ${cold} cold · ${left}s left (Ctrl-C: stop and summarize)`;
    this.stream.write(`\r\x1b[K${text.slice(0, cols - 1)}`);
    this.drawn = true;
  }
}

function lineOf(r: ProbeRecord | MissedRecord): string {
  if (isMissed(r)) return `${r.ts} ${r.endpoint} #${r.seq} missed (${r.reason})`;
  const answer = r.status === null ? `no answer (${r.error})` : `${r.status} ${r.latencyMs?.toFixed(1)} ms`;
  const cold = r.cold ? ' cold' : '';
  const failed = r.conditions
    .filter((c) => !c.ok)
    .map((c) => ` [${c.expr}: ${c.resolved}]`)
    .join('');
  return `${r.ts} ${r.endpoint} #${r.seq} ${answer} ${r.ok ? 'ok' : 'FAIL'}${cold}${failed}`;
}
