/**
 * Batch state: KAGG_HOME/batches/<id>.jsonl. The first line is the batch definition; every later
 * line is one record (an item changing state, a resume, the end), appended with a single write and
 * fsynced, so a crash or kill -9 loses at most the line being written. Reading tolerates that torn
 * last line; resuming cuts it off before appending again.
 *
 * While a batch runs, `<id>.jsonl.lock` holds the runner's pid, so the same batch is never run by two
 * processes at once (a lock whose process is gone is taken over).
 */
import { readdir, readFile, rm, stat, truncate } from 'node:fs/promises';
import path from 'node:path';
import { KaggError, usageError } from '../errors/index.js';
import { appendLineDurable } from '../fs/atomic.js';
import { createLockFile, isProcessAlive } from '../fs/lock.js';
import { BATCH_ID_PATTERN } from './id.js';
import type { BatchDefinition, BatchRecord, EndRecord, ItemRecord, ResumeRecord } from './types.js';

export interface BatchState {
  file: string;
  definition: BatchDefinition;
  items: ItemRecord[];
  resumes: ResumeRecord[];
  end: EndRecord | undefined;
  /** A last line cut short by a crash was ignored. */
  tornTail: boolean;
  /** Lines that could not be read (other than a torn tail). */
  badLines: number[];
}

export function batchStateFile(batchesDir: string, id: string): string {
  return path.join(batchesDir, `${id}.jsonl`);
}

export async function appendRecord(file: string, record: BatchRecord): Promise<void> {
  await appendLineDurable(file, JSON.stringify(record));
}

/** Writes the definition as the first line of a new state file. */
export async function createBatchState(batchesDir: string, definition: BatchDefinition): Promise<string> {
  const file = batchStateFile(batchesDir, definition.id);
  if (await stat(file).catch(() => undefined)) {
    throw new KaggError(`a batch with id ${definition.id} already exists`, { code: 'BATCH_EXISTS' });
  }
  await appendRecord(file, definition);
  return file;
}

export function parseBatchState(file: string, text: string): BatchState {
  const lines = text.split('\n');
  const endsClean = text.endsWith('\n');
  if (endsClean) lines.pop();
  const state: Omit<BatchState, 'definition'> & { definition?: BatchDefinition } = {
    file,
    items: [],
    resumes: [],
    end: undefined,
    tornTail: false,
    badLines: [],
  };
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let record: BatchRecord;
    try {
      record = JSON.parse(line) as BatchRecord;
    } catch {
      if (i === lines.length - 1 && !endsClean) state.tornTail = true;
      else state.badLines.push(i + 1);
      return;
    }
    if (i === 0) {
      if (record.type === 'batch') state.definition = record;
      return;
    }
    if (record.type === 'item') state.items.push(record);
    else if (record.type === 'resume') {
      state.resumes.push(record);
      state.end = undefined;
    } else if (record.type === 'end') state.end = record;
  });
  if (!state.definition) {
    throw new KaggError(`${file} is not a kagg batch state file (its first line is not a batch definition)`, {
      code: 'BATCH_STATE_CORRUPT',
    });
  }
  return state as BatchState;
}

export async function readBatchState(batchesDir: string, id: string): Promise<BatchState> {
  if (!BATCH_ID_PATTERN.test(id)) {
    throw usageError(`"${id}" is not a batch id (like 20261126-104512-ab12)`, {
      code: 'BATCH_BAD_ID',
      action: 'list batches with `kagg batch list`',
    });
  }
  const file = batchStateFile(batchesDir, id);
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') {
      throw usageError(`no batch ${id} (looked for ${file})`, {
        code: 'BATCH_NOT_FOUND',
        action: 'list batches with `kagg batch list`',
      });
    }
    throw error;
  });
  return parseBatchState(file, text);
}

/** Cuts a torn last line off, so the next append starts on a fresh line. */
export async function repairTornTail(file: string): Promise<void> {
  const text = await readFile(file, 'utf8');
  if (text === '' || text.endsWith('\n')) return;
  await truncate(file, Buffer.byteLength(text.slice(0, text.lastIndexOf('\n') + 1)));
}

/** Every batch under `batchesDir`, newest first. Unreadable files are skipped. */
export async function listBatchStates(batchesDir: string): Promise<BatchState[]> {
  const names = (await readdir(batchesDir).catch(() => [] as string[]))
    .filter((n) => n.endsWith('.jsonl') && BATCH_ID_PATTERN.test(n.slice(0, -6)))
    .sort()
    .reverse();
  const out: BatchState[] = [];
  for (const name of names) {
    const file = path.join(batchesDir, name);
    try {
      out.push(parseBatchState(file, await readFile(file, 'utf8')));
    } catch {
      // not ours or unreadable: leave it out of the list
    }
  }
  return out;
}

/** The pid running this batch now, if any. */
export async function runningPid(stateFile: string): Promise<number | undefined> {
  const text = await readFile(`${stateFile}.lock`, 'utf8').catch(() => '');
  const pid = Number.parseInt(text, 10);
  return Number.isInteger(pid) && pid > 0 && pid !== process.pid && isProcessAlive(pid) ? pid : undefined;
}

/** Takes the batch's run lock; returns its release. */
export async function lockBatch(stateFile: string, id: string): Promise<() => Promise<void>> {
  const lockFile = `${stateFile}.lock`;
  for (let tries = 0; tries < 5; tries++) {
    if (await createLockFile(lockFile)) {
      return async () => {
        await rm(lockFile, { force: true });
      };
    }
    const pid = await runningPid(stateFile);
    if (pid) {
      throw new KaggError(`batch ${id} is being run by another kagg process (pid ${pid})`, {
        code: 'BATCH_RUNNING',
        action: 'wait for it to end, or stop that process first',
      });
    }
    await rm(lockFile, { force: true });
  }
  throw new KaggError(`could not lock batch ${id} (${lockFile})`, { code: 'BATCH_LOCK' });
}
