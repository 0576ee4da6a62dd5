/**
 * `kagg kernels init|files|delete|logs|cancel|quota`: the official CLI's remaining `kaggle kernels`
 * verbs (kaggle-cli kernels_initialize, kernels_files, kernels_delete, kernels_logs /
 * kernels_logs_stream, quota_view), and kagglesdk's CancelKernelSession, which kaggle-cli lacks.
 */
import { access, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { KaggError, usageError } from '../errors/index.js';
import { loadGot } from '../http/got.js';
import { authorizationHeader } from './auth.js';
import type { KaggleClient } from './client.js';
import { METADATA_FILE } from './metadata.js';
import { logToText } from './parse.js';
import { type FullKernelRef, formatRef, type KernelRef } from './ref.js';

/** The template `kaggle kernels init` writes: same keys, order and placeholder values. */
export function metadataTemplate(username: string): Record<string, unknown> {
  return {
    id: `${username}/INSERT_KERNEL_SLUG_HERE`,
    title: 'INSERT_TITLE_HERE',
    code_file: 'INSERT_CODE_FILE_PATH_HERE',
    language: 'Pick one of: {python,r,rmarkdown}',
    kernel_type: 'Pick one of: {script,notebook}',
    is_private: 'true',
    enable_gpu: 'false',
    enable_tpu: 'false',
    enable_internet: 'true',
    machine_shape: '',
    dataset_sources: [],
    competition_sources: [],
    kernel_sources: [],
    model_sources: [],
  };
}

/**
 * Writes the metadata template into `dir` (created if missing). Unlike the official CLI, an existing
 * kernel-metadata.json is never overwritten: that is a usage error naming it.
 */
export async function initKernel(client: KaggleClient, dir: string): Promise<{ file: string }> {
  const file = path.resolve(dir, METADATA_FILE);
  if (
    await access(file).then(
      () => true,
      () => false,
    )
  )
    throw usageError(`${file} already exists; kagg does not overwrite it.`, {
      code: 'KERNEL_METADATA_EXISTS',
      action: 'Edit it, or choose another folder with --path.',
    });
  const username = await client.username();
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(metadataTemplate(username), null, 2)}\n`, { flag: 'wx' });
  return { file };
}

export interface KernelFile {
  name: string;
  size: number;
  creationDate: string;
}

export interface KernelFilesResult {
  ref: string;
  files: KernelFile[];
  nextPageToken: string;
}

export async function listKernelFiles(
  client: KaggleClient,
  ref: KernelRef,
  options: { pageSize?: number; pageToken?: string } = {},
): Promise<KernelFilesResult> {
  const full = await client.resolve(ref);
  const body: Record<string, unknown> = { userName: full.owner, kernelSlug: full.slug };
  if (options.pageSize) body.pageSize = options.pageSize;
  if (options.pageToken) body.pageToken = options.pageToken;
  const answer = (await client.call('ListKernelFiles', body, { kernel: full })) as {
    files?: unknown;
    nextPageToken?: unknown;
  };
  const files = Array.isArray(answer.files) ? answer.files : [];
  return {
    ref: formatRef(full),
    files: files.map((f: Record<string, unknown>) => ({
      name: typeof f.name === 'string' ? f.name : '',
      size: typeof f.size === 'number' ? f.size : Number(f.size ?? 0),
      creationDate: typeof f.creationDate === 'string' ? f.creationDate : '',
    })),
    nextPageToken: typeof answer.nextPageToken === 'string' ? answer.nextPageToken : '',
  };
}

/** DeleteKernel; an `errorMessage` in the answer is a failure. Asking first is the command's job. */
export async function deleteKernel(client: KaggleClient, ref: KernelRef): Promise<{ ref: string; deleted: true }> {
  const full = await client.resolve(ref);
  if (full.version)
    throw usageError(`Delete takes a kernel, not a version (got ${formatRef(full)}).`, { code: 'KAGGLE_BAD_REF' });
  const answer = (await client.call(
    'DeleteKernel',
    { userName: full.owner, kernelSlug: full.slug },
    { kernel: full, idempotent: false },
  )) as { errorMessage?: unknown };
  if (typeof answer.errorMessage === 'string' && answer.errorMessage)
    throw new KaggError(`Kaggle did not delete ${formatRef(full)}: ${answer.errorMessage}`, {
      code: 'KAGGLE_API_ERROR',
    });
  return { ref: formatRef(full), deleted: true };
}

/**
 * CancelKernelSession by Kaggle's session id. The public API returns that id nowhere (not SaveKernel,
 * not GetKernelSessionStatus: kaggle-cli #1169/#1174), so the caller brings it; a push's version
 * number is not one. An `errorMessage` in the answer (e.g. the session is not running) is a failure.
 */
export async function cancelKernelSession(
  client: KaggleClient,
  sessionId: number,
): Promise<{ sessionId: number; cancelRequested: true }> {
  const answer = (await client
    .call('CancelKernelSession', { kernelSessionId: sessionId }, { idempotent: false })
    .catch((error: unknown) => {
      const status = error instanceof KaggError ? error.details?.status : undefined;
      if (status !== 403 && status !== 404) throw error;
      throw new KaggError(`Kaggle has no session ${sessionId} that you may cancel (HTTP ${status}).`, {
        code: 'KAGGLE_NOT_FOUND',
        action: "The id is Kaggle's id of a run (kernelSessionId), not a kernel's version number.",
        cause: error,
      });
    })) as { errorMessage?: unknown };
  if (typeof answer.errorMessage === 'string' && answer.errorMessage)
    throw new KaggError(`Kaggle did not cancel session ${sessionId}: ${answer.errorMessage}`, {
      code: 'KAGGLE_API_ERROR',
    });
  return { sessionId, cancelRequested: true };
}

export interface AcceleratorQuota {
  resource: 'GPU' | 'TPU';
  /** Hours, as kaggle-cli's `kaggle quota` shows them. */
  usedHours: number;
  remainingHours: number;
  totalHours: number;
}

/** A proto Duration in JSON ("3600s", "1.5s"), or a bare number of seconds, in seconds. */
function durationSeconds(value: unknown): number {
  const n = typeof value === 'number' ? value : Number.parseFloat(String(value ?? '0').replace(/s$/, ''));
  return Number.isFinite(n) ? n : 0;
}

/** GetAcceleratorQuotaStatistics: the weekly GPU and TPU quota (kaggle-cli 2.x `kaggle quota`). */
export async function acceleratorQuota(
  client: KaggleClient,
): Promise<{ refreshAt: string; quotas: AcceleratorQuota[] }> {
  const answer = (await client.call('GetAcceleratorQuotaStatistics', {})) as Record<string, unknown>;
  const quotas: AcceleratorQuota[] = [];
  for (const [resource, key] of [
    ['GPU', 'gpuQuota'],
    ['TPU', 'tpuQuota'],
  ] as const) {
    const q = answer[key] as { timeUsed?: unknown; totalTimeAllowed?: unknown } | undefined;
    if (!q || typeof q !== 'object') continue;
    const used = durationSeconds(q.timeUsed) / 3600;
    const total = durationSeconds(q.totalTimeAllowed) / 3600;
    quotas.push({ resource, usedHours: used, remainingHours: Math.max(0, total - used), totalHours: total });
  }
  return { refreshAt: typeof answer.quotaRefreshTime === 'string' ? answer.quotaRefreshTime : '', quotas };
}

export interface LogEvent {
  stream_name?: string;
  time?: number;
  data: string;
}

/** The log of the kernel's latest session, as it stands (ListKernelSessionOutput's log). */
export async function kernelLog(
  client: KaggleClient,
  ref: KernelRef,
): Promise<{ ref: string; raw: string; text: string }> {
  const full = await client.resolve(ref);
  const page = await client.listSessionOutput(full, undefined, 1);
  return { ref: formatRef(full), raw: page.log, text: logToText(page.log) };
}

const END_OF_LOG = 'END_OF_LOG';

/**
 * Follows the log stream (`GET <api>/kernels/logs/stream/<owner>/<slug>`): SSE `data:` events while
 * the session runs, ending at END_OF_LOG; a finished session answers its JSON array at once. Each
 * event goes to `onEvent` as it arrives.
 */
export async function followKernelLog(
  client: KaggleClient,
  ref: KernelRef,
  onEvent: (event: LogEvent) => void,
  signal?: AbortSignal,
): Promise<{ ref: string; events: number }> {
  const full: FullKernelRef = await client.resolve(ref);
  const { credentials } = await client.authenticate();
  const [{ got }, proxy] = await Promise.all([loadGot(), import('../http/proxy.js')]);
  const url = `${client.baseUrl}/kernels/logs/stream/${encodeURIComponent(full.owner)}/${encodeURIComponent(full.slug)}`;
  const stream = got.stream(url, {
    agent: proxy.sharedProxyAgents(),
    headers: { accept: 'text/event-stream, */*', authorization: authorizationHeader(credentials) },
    throwHttpErrors: false,
    retry: { limit: 0 },
    ...(signal ? { signal } : {}),
  });
  const response = await new Promise<{ statusCode: number; headers: Record<string, unknown> }>((resolve, reject) => {
    stream.once('response', resolve);
    stream.once('error', reject);
  });
  let events = 0;
  const emit = (e: LogEvent) => {
    events++;
    onEvent(e);
  };
  if (response.statusCode >= 400) {
    let text = '';
    for await (const chunk of stream) text += String(chunk);
    throw new KaggError(
      `The log stream of ${formatRef(full)} answered HTTP ${response.statusCode}${text ? `: ${text.slice(0, 200)}` : ''}`,
      { code: response.statusCode === 403 || response.statusCode === 404 ? 'KAGGLE_NOT_FOUND' : 'KAGGLE_API_ERROR' },
    );
  }
  const type = String(response.headers['content-type'] ?? '').toLowerCase();
  if (!type.startsWith('text/event-stream')) {
    let text = '';
    for await (const chunk of stream) text += String(chunk);
    for (const e of parseBlob(text)) emit(e);
    return { ref: formatRef(full), events };
  }
  let buffer = '';
  for await (const chunk of stream) {
    buffer += String(chunk);
    let newline = buffer.indexOf('\n');
    while (newline >= 0) {
      const line = buffer.slice(0, newline).replace(/\r$/, '');
      buffer = buffer.slice(newline + 1);
      newline = buffer.indexOf('\n');
      if (!line.startsWith('data:')) continue;
      const payload = line.slice(5).trimStart();
      if (payload === END_OF_LOG) {
        stream.destroy();
        return { ref: formatRef(full), events };
      }
      emit(parseEvent(payload));
    }
  }
  return { ref: formatRef(full), events };
}

function parseEvent(payload: string): LogEvent {
  try {
    const o = JSON.parse(payload) as Record<string, unknown>;
    if (o && typeof o === 'object' && typeof o.data === 'string') return o as unknown as LogEvent;
  } catch {
    // not JSON: the text itself
  }
  return { data: payload };
}

function parseBlob(text: string): LogEvent[] {
  try {
    const parsed = JSON.parse(text) as unknown;
    const list = Array.isArray(parsed) ? parsed : [parsed];
    return list.filter((e): e is LogEvent => Boolean(e) && typeof (e as LogEvent).data === 'string');
  } catch {
    return text
      .split('\n')
      .filter(Boolean)
      .map((data) => ({ data: `${data}\n` }));
  }
}
