/**
 * Running a batch: a pool of `parallel` workers takes the unfinished items in file order. Each item
 * is isolated (its failure is recorded, the others go on) and every state change is appended to the
 * state file before the next step. Ctrl-C (the abort signal) stops the pool from taking new items and
 * aborts the running ones, which are recorded as interrupted; `--fail-fast` stops it at the first
 * failure. Resuming runs exactly the items that did not finish, once each.
 */
import { readFile } from 'node:fs/promises';
import { redact, registerSecret } from '../config/redact.js';
import { isKaggError, messageOf } from '../errors/index.js';
import { type BatchDeps, executeItem } from './operations.js';
import { parseBatchFile } from './parse.js';
import { planBatch, storableDefinition } from './plan.js';
import { buildReport, outcomes, reportItemOf } from './report.js';
import { appendRecord, type BatchState, createBatchState, lockBatch, readBatchState, repairTornTail } from './state.js';
import type { BatchDefinition, BatchReport, ItemRecord, PlannedItem, ReportItem } from './types.js';

export type BatchEvent =
  | {
      type: 'start';
      id: string;
      stateFile: string;
      total: number;
      pending: number;
      parallel: number;
      resumed: boolean;
      /** Items already finished by an earlier run (resume). */
      done: number;
      failed: number;
    }
  | { type: 'invalid'; item: ReportItem }
  | { type: 'item-start'; item: PlannedItem }
  | { type: 'item-progress'; item: PlannedItem; text: string }
  | { type: 'item-end'; item: ReportItem }
  | { type: 'stopping'; reason: 'interrupt' | 'fail-fast' };

export interface RunOptions {
  onEvent?: (event: BatchEvent) => void;
  /** On resume, run failed items again too (from the start: a failed run is pushed anew). */
  retryFailed?: boolean;
}

export interface BatchRun {
  report: BatchReport;
  stateFile: string;
}

async function pool<T>(items: T[], n: number, work: (item: T) => Promise<void>, stop: () => boolean): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (!stop() && next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(n, items.length)) }, worker));
}

function errorOf(error: unknown): { code: string; message: string } {
  const code = isKaggError(error) ? error.code : ((error as { code?: unknown })?.code as string | undefined);
  return { code: typeof code === 'string' && code ? code : 'FAILED', message: redact(messageOf(error)) };
}

/** For a resumed item: the record that tells where it stopped (a push in flight beats a later interruption). */
function previousOf(records: ItemRecord[], index: number): ItemRecord | undefined {
  const mine = records.filter((r) => r.index === index);
  return mine.findLast((r) => r.state === 'pushing' || r.state === 'pushed') ?? mine.at(-1);
}

async function execute(
  definition: BatchDefinition,
  stateFile: string,
  earlier: ItemRecord[],
  deps: BatchDeps,
  options: RunOptions & { resumed: boolean },
): Promise<BatchReport> {
  const emit = options.onEvent ?? (() => {});
  const records: ItemRecord[] = [...earlier];
  const before = outcomes(earlier);
  const retry = (index: number) => options.retryFailed === true && before.get(index)?.last?.state === 'failed';
  const pending = definition.items.filter((i) => !before.get(i.index)?.finished || retry(i.index));
  const finishedBefore = definition.items.length - pending.length;
  const failedBefore = [...before.entries()].filter(
    ([index, o]) => o.finished && o.last?.state === 'failed' && !retry(index),
  ).length;
  emit({
    type: 'start',
    id: definition.id,
    stateFile,
    total: definition.items.length + definition.invalid.length,
    pending: pending.length,
    parallel: definition.options.parallel,
    resumed: options.resumed,
    done: finishedBefore,
    failed: failedBefore,
  });
  if (!options.resumed) {
    const report = buildReport(definition, [], { status: 'running', finishedAt: null });
    for (const item of report.items) if (item.status === 'invalid') emit({ type: 'invalid', item });
  }

  let stopping: 'interrupt' | 'fail-fast' | undefined;
  const onAbort = () => {
    if (stopping === 'interrupt') return;
    stopping = 'interrupt';
    emit({ type: 'stopping', reason: 'interrupt' });
  };
  if (deps.signal.aborted) onAbort();
  deps.signal.addEventListener('abort', onAbort);
  const record = async (item: PlannedItem, fields: Omit<ItemRecord, 'type' | 'index' | 'at' | 'pid'>) => {
    const r: ItemRecord = {
      type: 'item',
      index: item.index,
      at: new Date().toISOString(),
      pid: process.pid,
      ...fields,
    };
    await appendRecord(stateFile, r);
    records.push(r);
  };

  try {
    await pool(
      pending,
      definition.options.parallel,
      async (item) => {
        if (stopping) return;
        const previous = retry(item.index) ? undefined : previousOf(earlier, item.index);
        const started = performance.now();
        await record(item, { state: 'running' });
        emit({ type: 'item-start', item });
        try {
          const result = await executeItem(deps, {
            definition,
            item,
            previous,
            record: (fields) => record(item, fields),
            signal: deps.signal,
            progress: (text) => emit({ type: 'item-progress', item, text }),
          });
          await record(item, { state: 'succeeded', result, durationMs: Math.round(performance.now() - started) });
        } catch (error) {
          const durationMs = Math.round(performance.now() - started);
          if (deps.signal.aborted) {
            await record(item, { state: 'interrupted', error: errorOf(error), durationMs });
          } else {
            await record(item, { state: 'failed', error: errorOf(error), durationMs });
            if (definition.options.failFast && !stopping) {
              stopping = 'fail-fast';
              emit({ type: 'stopping', reason: 'fail-fast' });
            }
          }
        }
        emit({ type: 'item-end', item: reportItemOf(definition, item, outcomes(records).get(item.index)) });
      },
      () => stopping !== undefined,
    );
  } finally {
    deps.signal.removeEventListener('abort', onAbort);
  }
  const status: BatchReport['status'] =
    stopping === 'interrupt' ? 'interrupted' : stopping === 'fail-fast' ? 'stopped' : 'finished';
  const finishedAt = new Date().toISOString();
  await appendRecord(stateFile, { type: 'end', at: finishedAt, pid: process.pid, status });
  return buildReport(definition, records, { status, finishedAt });
}

function registerEnvSecrets(definition: BatchDefinition): void {
  for (const item of definition.items) for (const value of Object.values(item.env ?? {})) registerSecret(value);
}

/** Starts a planned batch: writes its state file (without environment values), then runs it. */
export async function startBatch(
  definition: BatchDefinition,
  deps: BatchDeps,
  options: RunOptions = {},
): Promise<BatchRun> {
  registerEnvSecrets(definition);
  const stateFile = await createBatchState(deps.paths.batchesDir, storableDefinition(definition));
  const release = await lockBatch(stateFile, definition.id);
  try {
    const report = await execute(definition, stateFile, [], deps, { ...options, resumed: false });
    return { report, stateFile };
  } finally {
    await release();
  }
}

/** Environment values are not stored: read them from the batch file again (same line, same input). */
async function restoreEnv(definition: BatchDefinition): Promise<void> {
  const needing = definition.items.filter((i) => i.envFromFile);
  if (needing.length === 0) return;
  try {
    const parsed = await parseBatchFile(definition.file, await readFile(definition.file, 'utf8'), definition.format);
    const fresh = planBatch({
      file: definition.file,
      parsed,
      operation: definition.operation,
      options: definition.options,
      cwd: definition.cwd,
    });
    const byLine = new Map(fresh.items.map((i) => [i.line, i]));
    for (const item of needing) {
      const again = byLine.get(item.line);
      if (again?.env && again.input === item.input) item.env = again.env;
    }
  } catch {
    // the items that need values fail with BATCH_ENV_UNAVAILABLE
  }
  registerEnvSecrets(definition);
}

/** Resumes a batch: skips finished items, redoes each unfinished one once, never repeats a completed push. */
export async function resumeBatch(
  id: string,
  deps: BatchDeps,
  options: RunOptions = {},
): Promise<BatchRun & { state: BatchState }> {
  const state = await readBatchState(deps.paths.batchesDir, id);
  const release = await lockBatch(state.file, id);
  try {
    await repairTornTail(state.file);
    await restoreEnv(state.definition);
    await appendRecord(state.file, { type: 'resume', at: new Date().toISOString(), pid: process.pid });
    const report = await execute(state.definition, state.file, state.items, deps, { ...options, resumed: true });
    return { report, stateFile: state.file, state };
  } finally {
    await release();
  }
}

/** The report of a stored batch (`kagg batch show`). */
export function reportOfState(state: BatchState, running: boolean): BatchReport {
  const status = running ? 'running' : state.end ? state.end.status : 'interrupted';
  return buildReport(state.definition, state.items, {
    status: status as BatchReport['status'],
    finishedAt: state.end?.at ?? null,
  });
}
