/**
 * Tolerant readers for Kaggle responses: defaults for omitted fields (proto JSON drops them), every
 * spelling of an enum the official SDK accepts (`COMPLETE`, `complete`, `cancelAcknowledged`,
 * `KERNEL_WORKER_STATUS_ERROR`), `null` lists as empty lists.
 */
import type { KernelBlob, KernelInfo, KernelStatus, OutputPage, SaveKernelResult, SessionStatus } from './types.js';

type Obj = Record<string, unknown>;

const STATUSES: KernelStatus[] = [
  'QUEUED',
  'RUNNING',
  'COMPLETE',
  'ERROR',
  'CANCEL_REQUESTED',
  'CANCEL_ACKNOWLEDGED',
  'NEW_SCRIPT',
];

/** `cancelAcknowledged` → `CANCEL_ACKNOWLEDGED`; strips a `KERNEL_WORKER_STATUS_` style prefix. */
export function normalizeEnum(value: string, known: readonly string[], prefix?: string): string | undefined {
  const snake = value
    .trim()
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[\s-]+/g, '_')
    .toUpperCase();
  if (known.includes(snake)) return snake;
  if (prefix && snake.startsWith(prefix) && known.includes(snake.slice(prefix.length)))
    return snake.slice(prefix.length);
  const dotted = snake.split('.').pop() ?? snake; // `KernelWorkerStatus.COMPLETE`
  if (known.includes(dotted)) return dotted;
  return undefined;
}

export function parseStatus(value: unknown): KernelStatus {
  if (value === undefined || value === null || value === '') return 'QUEUED';
  if (typeof value === 'number') return STATUSES[value] ?? 'UNKNOWN';
  if (typeof value !== 'string') return 'UNKNOWN';
  return (normalizeEnum(value, STATUSES, 'KERNEL_WORKER_STATUS_') as KernelStatus | undefined) ?? 'UNKNOWN';
}

export function isTerminal(status: KernelStatus): boolean {
  return status === 'COMPLETE' || status === 'ERROR' || status === 'CANCEL_ACKNOWLEDGED';
}

const str = (o: Obj, k: string): string => (typeof o[k] === 'string' ? (o[k] as string) : '');
const optStr = (o: Obj, k: string): string | undefined =>
  typeof o[k] === 'string' && o[k] !== '' ? (o[k] as string) : undefined;
const num = (o: Obj, k: string): number | undefined => {
  const v = o[k];
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return Number(v); // int64 travels as a string in proto JSON
  return undefined;
};
const bool = (o: Obj, k: string): boolean => o[k] === true || o[k] === 'true';
const list = (o: Obj, k: string): string[] =>
  Array.isArray(o[k]) ? (o[k] as unknown[]).filter((x): x is string => typeof x === 'string') : [];

export function asObject(value: unknown): Obj {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Obj) : {};
}

export function parseKernelInfo(value: unknown): KernelInfo {
  const o = asObject(value);
  const ref = str(o, 'ref');
  return {
    id: num(o, 'id'),
    ref,
    title: str(o, 'title'),
    author: str(o, 'author') || ref.split('/')[0] || '',
    slug: str(o, 'slug') || ref.split('/')[1] || '',
    lastRunTime: optStr(o, 'lastRunTime'),
    language: str(o, 'language'),
    kernelType: str(o, 'kernelType'),
    isPrivate: bool(o, 'isPrivate'),
    enableGpu: bool(o, 'enableGpu'),
    enableTpu: bool(o, 'enableTpu'),
    enableInternet: bool(o, 'enableInternet'),
    categoryIds: list(o, 'categoryIds'),
    datasetDataSources: list(o, 'datasetDataSources'),
    competitionDataSources: list(o, 'competitionDataSources'),
    kernelDataSources: list(o, 'kernelDataSources'),
    modelDataSources: list(o, 'modelDataSources'),
    totalVotes: num(o, 'totalVotes') ?? 0,
    currentVersionNumber: num(o, 'currentVersionNumber'),
    dockerImage: optStr(o, 'dockerImage'),
    machineShape: optStr(o, 'machineShape'),
  };
}

export function parseBlob(value: unknown): KernelBlob {
  const o = asObject(value);
  return {
    source: str(o, 'source'),
    language: str(o, 'language'),
    kernelType: str(o, 'kernelType'),
    slug: str(o, 'slug'),
  };
}

export function parseSaveResult(value: unknown): SaveKernelResult {
  const o = asObject(value);
  return {
    ref: str(o, 'ref'),
    url: str(o, 'url'),
    versionNumber: num(o, 'versionNumber'),
    kernelId: num(o, 'kernelId'),
    error: str(o, 'error'),
    invalidTags: list(o, 'invalidTags'),
    invalidDatasetSources: list(o, 'invalidDatasetSources'),
    invalidCompetitionSources: list(o, 'invalidCompetitionSources'),
    invalidKernelSources: list(o, 'invalidKernelSources'),
    invalidModelSources: list(o, 'invalidModelSources'),
  };
}

export function parseSessionStatus(value: unknown): SessionStatus {
  const o = asObject(value);
  const raw = typeof o.status === 'string' ? o.status : undefined;
  return { status: parseStatus(o.status), rawStatus: raw, failureMessage: str(o, 'failureMessage') };
}

export function parseOutputPage(value: unknown): OutputPage {
  const o = asObject(value);
  const files = Array.isArray(o.files) ? o.files : [];
  return {
    files: files.map(asObject).map((f) => ({ url: str(f, 'url'), fileName: str(f, 'fileName') })),
    log: str(o, 'log'),
    nextPageToken: str(o, 'nextPageToken'),
  };
}

/** The message of a Kaggle error body: `{code,message}`, `{error:{code,message,status}}`, `{error:"…"}`, or text. */
export function errorBodyMessage(body: unknown, text: string): { code?: number; message: string; status?: string } {
  const o = asObject(body);
  if (o.error && typeof o.error === 'object') {
    const e = asObject(o.error);
    return { code: num(e, 'code'), message: str(e, 'message'), status: optStr(e, 'status') };
  }
  if (typeof o.message === 'string' || typeof o.code === 'number') {
    return { code: num(o, 'code'), message: str(o, 'message') };
  }
  if (typeof o.error === 'string') return { message: o.error };
  const plain = text.trim();
  return { message: plain.startsWith('<') ? '' : plain.slice(0, 300) };
}

/** The run log as plain text: Kaggle stores it as a JSON array of `{stream_name, time, data}`. */
export function logToText(log: string): string {
  const trimmed = log.trim();
  if (!trimmed.startsWith('[')) return log;
  try {
    const entries = JSON.parse(trimmed) as unknown;
    if (!Array.isArray(entries)) return log;
    return entries.map((e) => (typeof asObject(e).data === 'string' ? (asObject(e).data as string) : '')).join('');
  } catch {
    return log;
  }
}
