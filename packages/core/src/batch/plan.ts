/**
 * From a parsed batch file to a batch definition: defaults applied (item > command line > the file's
 * `defaults`), local paths made absolute (inputs are looked up beside the batch file, then in the
 * current folder; output paths are relative to the current folder), and each input checked for what
 * the operation accepts, so an input no operation could use is reported with its line before anything runs.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isKaggError, messageOf, usageError } from '../errors/index.js';
import { parseKernelRef } from '../kaggle/ref.js';
import { newBatchId } from './id.js';
import { parseBatchFile } from './parse.js';
import type {
  BatchDefinition,
  BatchOperation,
  BatchOptions,
  InvalidItem,
  ItemDefaults,
  ItemSpec,
  ParsedBatchFile,
  PlannedItem,
} from './types.js';

const ENDPOINT_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** Default `--parallel` of each operation. */
export function defaultParallel(operation: BatchOperation, cpus: number): number {
  switch (operation) {
    case 'download':
      return 8;
    case 'preprocess':
      return Math.max(1, cpus);
    default:
      return 4;
  }
}

/** What kind of input this is, or why the operation cannot take it. */
export function classifyInput(
  operation: BatchOperation,
  input: string,
): { kind: 'kernel' | 'file' | 'url' | 'endpoint'; problem?: undefined } | { kind?: undefined; problem: string } {
  if (operation === 'destroy') {
    return ENDPOINT_NAME.test(input)
      ? { kind: 'endpoint' }
      : { problem: `"${input}" is not an endpoint name (lower-case letters, digits and dashes)` };
  }
  const local = path.isAbsolute(input) && existsSync(input);
  let ref: ReturnType<typeof parseKernelRef> = null;
  try {
    ref = local ? null : parseKernelRef(input);
  } catch (error) {
    return { problem: isKaggError(error) ? error.message : messageOf(error) };
  }
  if (operation === 'download') {
    return ref ? { kind: 'kernel' } : { problem: `"${input}" is not a Kaggle kernel ref (owner/slug) or kernel URL` };
  }
  if (local) return { kind: 'file' };
  if (ref) return { kind: 'kernel' };
  if (/^https?:\/\//i.test(input)) {
    if (operation === 'run')
      return { problem: `"${input}" is not a Kaggle kernel URL; run takes kernels and local notebooks` };
    return { kind: 'url' };
  }
  return { problem: `no such file or folder, and not a kernel ref or URL: "${input}"` };
}

function localInput(input: string, dirs: string[]): string {
  if (/^https?:\/\//i.test(input) || path.isAbsolute(input)) return input;
  for (const dir of dirs) {
    const candidate = path.resolve(dir, input);
    if (existsSync(candidate)) return candidate;
  }
  return input;
}

function merge(fileDefaults: ItemDefaults, cli: ItemDefaults, item: ItemSpec, cwd: string): ItemSpec {
  const out: ItemSpec = { ...fileDefaults, ...cli, ...item };
  const set = [...(fileDefaults.set ?? []), ...(cli.set ?? []), ...(item.set ?? [])];
  if (set.length > 0) out.set = set;
  else delete out.set;
  const env = { ...fileDefaults.env, ...cli.env, ...item.env };
  if (Object.keys(env).length > 0) out.env = env;
  else delete out.env;
  if (out.path) out.path = path.resolve(cwd, out.path);
  return out;
}

export interface PlanRequest {
  file: string;
  parsed: ParsedBatchFile;
  operation: BatchOperation;
  options: BatchOptions;
  cwd: string;
  now?: Date;
}

/** The batch definition (first record of the state file). */
export function planBatch(request: PlanRequest): BatchDefinition {
  const { parsed, operation, cwd } = request;
  const file = path.resolve(cwd, request.file);
  const dirs = [path.dirname(file), cwd];
  const flags = request.options.targetFlags;
  const cli: ItemDefaults = {};
  if (flags.target) cli.target = flags.target;
  for (const key of ['region', 'memory', 'timeout', 'public'] as const) {
    if (flags.common[key] !== undefined) (cli as Record<string, unknown>)[key] = flags.common[key];
  }
  if (flags.set.length > 0) cli.set = flags.set;
  const invalid: InvalidItem[] = [...parsed.invalid];
  const valid: Array<Omit<PlannedItem, 'index'>> = [];
  for (const { line, spec } of parsed.items) {
    const merged = merge(parsed.defaults, cli, spec, cwd);
    merged.input = localInput(merged.input, dirs);
    const kind = classifyInput(operation, merged.input);
    if (kind.problem) {
      invalid.push({ index: 0, line, text: spec.input, reason: kind.problem });
      continue;
    }
    valid.push({ ...merged, line });
  }
  // Number every item (valid or not) in file order.
  const all = [...valid.map((v) => ({ v, line: v.line })), ...invalid.map((x) => ({ x, line: x.line }))].sort(
    (a, b) => a.line - b.line,
  );
  const items: PlannedItem[] = [];
  all.forEach((entry, i) => {
    if ('v' in entry) items.push({ ...entry.v, index: i + 1 });
    else entry.x.index = i + 1;
  });
  const options: BatchOptions = { ...request.options };
  if (options.path) options.path = path.resolve(cwd, options.path);
  return {
    type: 'batch',
    version: 1,
    id: newBatchId(request.now),
    createdAt: (request.now ?? new Date()).toISOString(),
    file,
    format: parsed.format,
    operation,
    options,
    items,
    invalid: invalid.sort((a, b) => a.line - b.line),
    cwd,
    pid: process.pid,
  };
}

/** The definition as stored: environment values are left out (they may be secrets); resume reads them from the batch file again. */
export function storableDefinition(def: BatchDefinition): BatchDefinition {
  return {
    ...def,
    items: def.items.map((item) =>
      item.env
        ? { ...item, env: Object.fromEntries(Object.keys(item.env).map((k) => [k, ''])), envFromFile: true }
        : item,
    ),
  } as BatchDefinition;
}

/** Reads, parses and plans a batch file. A missing or unreadable file is a usage error. */
export async function planBatchFile(request: Omit<PlanRequest, 'parsed'>): Promise<BatchDefinition> {
  const file = path.resolve(request.cwd, request.file);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw usageError(
      `cannot read the batch file ${request.file}: ${(error as NodeJS.ErrnoException).code ?? messageOf(error)}`,
      {
        code: 'BATCH_FILE_MISSING',
      },
    );
  }
  const parsed = await parseBatchFile(file, text);
  return planBatch({ ...request, parsed });
}
