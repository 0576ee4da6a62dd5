/**
 * What a batch shows while it runs. stdout piped, or no live bar: one line per finished item on
 * stdout, `STATUS<TAB>INPUT<TAB>RESULT-OR-ERROR`, nothing else. stderr a terminal that redraws
 * (`canRedraw`: not CI, not TERM=dumb): a live bar with done, failed and running counts and an ETA,
 * failures printed above it. `--json` shows neither.
 * At the end, `summaryLines` makes the summary table.
 */
import { canRedraw } from '../command/progress.js';
import { redact } from '../config/redact.js';
import { itemLine, statusLabel, summarizeResult } from './report.js';
import type { BatchEvent } from './runner.js';
import type { BatchReport } from './types.js';

export interface DisplayOptions {
  json: boolean;
  stdout?: NodeJS.WriteStream;
  stderr?: NodeJS.WriteStream;
  /** Overrides terminal detection (tests). */
  tty?: boolean;
}

export interface BatchDisplay {
  onEvent(event: BatchEvent): void;
  stop(): void;
}

function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export function createBatchDisplay(options: DisplayOptions): BatchDisplay {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  if (options.json) return { onEvent() {}, stop() {} };
  const barOn = options.tty ?? canRedraw(stderr);
  // Without the bar (piped, CI, TERM=dumb) each finished item is a line, so the run is never silent.
  const linesOn = !stdout.isTTY || !barOn;
  let total = 0;
  let done = 0;
  let failed = 0;
  let running = 0;
  let pendingAtStart = 0;
  let finishedNow = 0;
  let parallel = 1;
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  let drawn = false;

  const eta = (): string => {
    if (finishedNow === 0) return 'ETA --';
    const left = pendingAtStart - finishedNow;
    const per = (performance.now() - started) / finishedNow;
    return `ETA ${duration(per * left)}`;
  };
  const draw = () => {
    const width = 24;
    const fill = total === 0 ? width : Math.round((done / total) * width);
    const bar = `${'█'.repeat(fill)}${'░'.repeat(width - fill)}`;
    stderr.write(`\r\x1b[2K${bar} ${done}/${total} done · ${failed} failed · ${running} running · ${eta()}`);
    drawn = true;
  };
  const above = (text: string) => {
    if (barOn && drawn) stderr.write('\r\x1b[2K');
    stderr.write(`${redact(text)}\n`);
    if (barOn) draw();
  };

  return {
    onEvent(event) {
      switch (event.type) {
        case 'start':
          total = event.total;
          done = event.done;
          failed = event.failed;
          pendingAtStart = event.pending;
          parallel = event.parallel;
          above(
            `Batch ${event.id}${event.resumed ? ' (resumed)' : ''}: ${event.pending} item(s) to do of ${event.total}, ${parallel} at a time`,
          );
          if (barOn && !timer) {
            timer = setInterval(draw, 250);
            timer.unref();
          }
          break;
        case 'invalid':
          done++;
          failed++;
          if (linesOn) stdout.write(`${redact(itemLine(event.item))}\n`);
          if (barOn) above(`invalid: ${event.item.error?.message ?? ''}`);
          break;
        case 'item-start':
          running++;
          break;
        case 'item-progress':
          break;
        case 'item-end':
          running = Math.max(0, running - 1);
          if (event.item.status === 'succeeded' || event.item.status === 'failed') {
            done++;
            finishedNow++;
          }
          if (event.item.status === 'failed') failed++;
          if (linesOn && event.item.status !== 'skipped') stdout.write(`${redact(itemLine(event.item))}\n`);
          if (barOn && event.item.status === 'failed')
            above(`failed: ${event.item.input}: ${event.item.error?.message.split('\n')[0] ?? ''}`);
          else if (barOn) draw();
          break;
        case 'stopping':
          above(
            event.reason === 'interrupt'
              ? 'Stopping: no new items; running ones are being stopped (Ctrl-C again quits at once).'
              : 'Stopping at the first failure (--fail-fast): no new items.',
          );
          break;
      }
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      if (barOn && drawn) stderr.write('\r\x1b[2K');
    },
  };
}

/** The summary table: every item when there are few, else only the ones that did not succeed. */
export function summaryLines(report: BatchReport, maxRows = 30): string[] {
  const c = report.counts;
  const lines = [
    `Batch ${report.id} ${report.status}: ${c.succeeded} succeeded, ${c.failed} failed, ${c.invalid} invalid, ${c.skipped} not run (of ${c.total})`,
  ];
  const rows = report.items.length <= maxRows ? report.items : report.items.filter((i) => i.status !== 'succeeded');
  if (rows.length === 0) return lines;
  const endpoints = report.operation === 'deploy' || report.operation === 'destroy';
  const table = rows.map((i) => [
    String(i.item),
    String(i.line),
    statusLabel(i),
    String(i.attempts),
    duration(i.durationMs),
    ...(endpoints ? [i.name ?? '-', i.target ?? '-'] : []),
    i.input,
    (i.error ? i.error.message.split('\n')[0] : summarizeResult(i.result, i.operation)) ?? '',
  ]);
  const header = [
    'ITEM',
    'LINE',
    'STATUS',
    'TRIES',
    'TIME',
    ...(endpoints ? ['NAME', 'TARGET'] : []),
    'INPUT',
    'RESULT',
  ];
  const widths = header.map((h, k) => Math.max(h.length, ...table.map((r) => Math.min(60, (r[k] ?? '').length))));
  const fmt = (cells: string[]) =>
    cells
      .map((cell, k) =>
        k === cells.length - 1 ? cell : cell.length > 60 ? `${cell.slice(0, 57)}...` : cell.padEnd(widths[k] ?? 0),
      )
      .join('  ')
      .trimEnd();
  if (rows.length < report.items.length) lines.push(`Items that did not succeed (${rows.length}):`);
  lines.push(fmt(header), ...table.map(fmt));
  return lines;
}
