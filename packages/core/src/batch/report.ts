/** The batch report (`--report FILE`, `--json`, `kagg batch show`), built from the state records. */
import type { BatchDefinition, BatchReport, ItemRecord, PlannedItem, ReportItem } from './types.js';

export interface ItemOutcome {
  /** The last record of the item, if any. */
  last: ItemRecord | undefined;
  attempts: number;
  finished: boolean;
}

/** Per item: its last record and how often it was started. */
export function outcomes(records: ItemRecord[]): Map<number, ItemOutcome> {
  const map = new Map<number, ItemOutcome>();
  for (const r of records) {
    const o = map.get(r.index) ?? { last: undefined, attempts: 0, finished: false };
    if (r.state === 'running') o.attempts++;
    o.last = r;
    o.finished = r.state === 'succeeded' || r.state === 'failed';
    map.set(r.index, o);
  }
  return map;
}

export function reportItemOf(
  def: BatchDefinition,
  item: PlannedItem,
  outcome: ItemOutcome | undefined,
  dryRun = false,
): ReportItem {
  const last = outcome?.last;
  const status = dryRun
    ? 'planned'
    : last?.state === 'succeeded'
      ? 'succeeded'
      : last?.state === 'failed'
        ? 'failed'
        : 'skipped';
  const result =
    status === 'succeeded' || status === 'planned' ? (last?.result ?? (dryRun ? planResult(def, item) : null)) : null;
  return {
    item: item.index,
    line: item.line,
    input: item.input,
    operation: def.operation,
    ...endpointOf(def, item, result),
    status,
    attempts: outcome?.attempts ?? 0,
    durationMs: Math.max(0, Math.round(last?.durationMs ?? 0)),
    result,
    error: status === 'failed' ? (last?.error ?? { code: 'FAILED', message: 'failed' }) : null,
  };
}

/** The endpoint a deploy or destroy item is about: what it did when it ran, else what it asked for. */
function endpointOf(
  def: BatchDefinition,
  item: PlannedItem,
  result: Record<string, unknown> | null,
): { name?: string; target?: string } {
  if (def.operation !== 'deploy' && def.operation !== 'destroy') return {};
  const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  const name =
    text(result?.name) ??
    text(result?.destroyed) ??
    item.name ??
    (def.operation === 'destroy' ? item.input : undefined);
  const target =
    text(result?.target) ?? (def.operation === 'deploy' ? (item.target ?? def.options.targetFlags.target) : undefined);
  return { ...(name ? { name } : {}), ...(target ? { target } : {}) };
}

function planResult(def: BatchDefinition, item: PlannedItem): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of ['name', 'target', 'path', 'region', 'memory', 'timeout', 'public', 'set', 'force'] as const) {
    if (item[key] !== undefined) out[key] = item[key];
  }
  if (item.env) out.env = Object.keys(item.env);
  if (def.options.path && out.path === undefined && (def.operation === 'download' || def.operation === 'run')) {
    out.path = def.options.path;
  }
  return out;
}

export function buildReport(
  def: BatchDefinition,
  records: ItemRecord[],
  meta: { status: BatchReport['status']; finishedAt: string | null; dryRun?: boolean },
): BatchReport {
  const byItem = outcomes(records);
  const items: ReportItem[] = [
    ...def.items.map((item) => reportItemOf(def, item, byItem.get(item.index), meta.dryRun)),
    ...def.invalid.map(
      (bad): ReportItem => ({
        item: bad.index,
        line: bad.line,
        input: bad.text,
        operation: def.operation,
        status: 'invalid',
        attempts: 0,
        durationMs: 0,
        result: null,
        error: { code: 'BATCH_ITEM_INVALID', message: `line ${bad.line}: ${bad.reason}` },
      }),
    ),
  ].sort((a, b) => a.item - b.item);
  const count = (s: ReportItem['status']) => items.filter((i) => i.status === s).length;
  return {
    id: def.id,
    file: def.file,
    operation: def.operation,
    createdAt: def.createdAt,
    finishedAt: meta.finishedAt,
    status: meta.status,
    dryRun: Boolean(meta.dryRun),
    parallel: def.options.parallel,
    counts: {
      total: items.length,
      succeeded: count('succeeded'),
      failed: count('failed'),
      invalid: count('invalid'),
      skipped: count('skipped') + count('planned'),
    },
    items,
  };
}

/** One line per item for piped output: `STATUS<TAB>INPUT<TAB>RESULT-OR-ERROR`. */
/** `ok`, or `unchanged` for a deploy that found nothing to do; otherwise the item's status. */
export function statusLabel(item: ReportItem): string {
  if (item.status !== 'succeeded') return item.status;
  return item.result?.changed === false ? 'unchanged' : 'ok';
}

/**
 * One stdout line per item, tab-separated: `STATUS INPUT RESULT`; deploy adds the endpoint,
 * `STATUS NAME TARGET INPUT RESULT`, and destroy names it, `STATUS NAME TARGET RESULT` (`-` where unknown).
 */
export function itemLine(item: ReportItem): string {
  const detail = item.error ? item.error.message.split('\n')[0] : summarizeResult(item.result, item.operation);
  const endpoint = [item.name ?? '-', item.target ?? '-'];
  const columns =
    item.operation === 'deploy' ? [...endpoint, item.input] : item.operation === 'destroy' ? endpoint : [item.input];
  return [statusLabel(item), ...columns, detail ?? ''].join('\t').trimEnd();
}

/** The most useful single value of a result: a URL, a path, an endpoint, requirements. */
export function summarizeResult(result: Record<string, unknown> | null, operation?: string): string {
  if (!result) return '';
  // A destroy's URL is the one that just stopped working: say what happened instead.
  if (operation === 'destroy') return result.alreadyDestroyed ? 'already destroyed' : 'destroyed';
  for (const key of ['outputDir', 'url', 'path', 'codeFile', 'destroyed']) {
    const v = result[key];
    if (typeof v === 'string' && v) return v;
  }
  if (Array.isArray(result.requirements)) {
    return result.requirements.length > 0 ? `requirements: ${result.requirements.join(' ')}` : 'no requirements';
  }
  return '';
}

/** The status of a stored batch, for `kagg batch list/show`. */
export function storedStatus(
  end: { status: BatchReport['status'] } | undefined,
  running: boolean,
): BatchReport['status'] {
  if (running) return 'running';
  return end ? end.status : 'interrupted';
}
