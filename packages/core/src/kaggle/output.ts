/**
 * `kagg output`: every page of a kernel's latest run output, each file fetched from its signed URL
 * without the Authorization header, the HTTP status checked before anything is written, files that
 * are already current skipped, every name confined to the target folder, and the log saved as the
 * official CLI saves it (`<slug>.log`, the raw JSON array Kaggle sent) with a readable `<slug>.log.txt` beside it.
 */
import { mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { safeUrl } from '../http/client.js';
import { kaggleDownloadRoot } from './auth.js';
import type { KaggleClient } from './client.js';
import { createLimit, type KernelFailure, kernelFailure } from './parallel.js';
import { logToText } from './parse.js';
import { type FullKernelRef, formatRef, type KernelRef } from './ref.js';
import { confinedPath } from './safe-path.js';

export interface OutputFileResult {
  fileName: string;
  /** Where it is on disk (absent for refused names). */
  path?: string;
  outcome: 'written' | 'skipped' | 'refused' | 'failed';
  bytes: number;
  error?: string;
}

export interface KernelOutputResult {
  ref: string;
  dir: string;
  /** The run log as Kaggle sent it (`<slug>.log`), or null when the run has no log. */
  log: string | null;
  /** The same log as text (`<slug>.log.txt`). */
  logText: string | null;
  /** With `pageToken`: the token of the next page ('' on the last). */
  nextPageToken?: string;
  files: OutputFileResult[];
}

export interface DownloadOutputsOptions {
  /** Only files whose name matches. */
  filePattern?: RegExp;
  /** Download even files that are already current. */
  force?: boolean;
  /** Requests in flight at once (default 4), unless `limit` is given. */
  parallel?: number;
  /** A shared concurrency limit (several kernels downloading under one `--parallel`). */
  limit?: <T>(fn: () => Promise<T>) => Promise<T>;
  /** Write the log as `<slug>.log` (default true). */
  log?: boolean;
  /** Output page size (default 200, the documented maximum). */
  pageSize?: number;
  /** Only this page of the output list (official `--page-token`); the log is not written. */
  pageToken?: string;
}

async function localFile(file: string): Promise<{ size: number; mtime: Date } | undefined> {
  try {
    const s = await stat(file);
    return s.isFile() ? { size: s.size, mtime: s.mtime } : undefined;
  } catch {
    return undefined;
  }
}

/** Downloads the outputs and log of a kernel's latest run into `dir`. */
export async function downloadKernelOutputs(
  client: KaggleClient,
  ref: KernelRef | FullKernelRef,
  dir: string,
  options: DownloadOutputsOptions = {},
): Promise<KernelOutputResult> {
  const limit = options.limit ?? createLimit(options.parallel ?? 4);
  const full = await client.resolve(ref);
  const target = path.resolve(dir);
  await mkdir(target, { recursive: true });
  const result: KernelOutputResult = { ref: formatRef(full), dir: target, log: null, logText: null, files: [] };
  const downloads: Array<Promise<void>> = [];
  const onePage = Boolean(options.pageToken);
  let pageToken: string | undefined = options.pageToken;
  let first = true;
  do {
    const page = await limit(() => client.listSessionOutput(full, pageToken, options.pageSize ?? 200));
    if (first && !onePage && options.log !== false && page.log.trim() !== '') {
      result.log = path.join(target, `${full.slug}.log`);
      result.logText = `${result.log}.txt`;
      await writeFile(result.log, page.log, 'utf8');
      await writeFile(result.logText, logToText(page.log), 'utf8');
    }
    first = false;
    for (const file of page.files) {
      if (options.filePattern && !options.filePattern.test(file.fileName)) continue;
      const entry: OutputFileResult = { fileName: file.fileName, outcome: 'failed', bytes: 0 };
      result.files.push(entry);
      downloads.push(downloadOne(client, target, file.url, entry, options, limit));
    }
    pageToken = page.nextPageToken || undefined;
    if (onePage) result.nextPageToken = page.nextPageToken;
  } while (pageToken && !onePage);
  await Promise.all(downloads);
  return result;
}

async function downloadOne(
  client: KaggleClient,
  root: string,
  url: string,
  entry: OutputFileResult,
  options: DownloadOutputsOptions,
  limit: <T>(fn: () => Promise<T>) => Promise<T>,
): Promise<void> {
  let dest: string;
  try {
    dest = await confinedPath(root, entry.fileName);
  } catch (error) {
    entry.outcome = 'refused';
    entry.error = `refused "${entry.fileName}": ${(error as Error).message}`;
    return;
  }
  entry.path = dest;
  if (!/^https?:\/\//i.test(url)) {
    entry.error = `no download URL for "${entry.fileName}"`;
    return;
  }
  const local = options.force ? undefined : await localFile(dest);
  try {
    // The signed URL carries its own authorization: never send Kaggle credentials to storage.
    const res = await limit(() =>
      client.http.download({
        url,
        dest,
        ifModifiedSince: local?.mtime,
        skip: ({ headers }) => {
          if (!local) return false;
          const lastModified = Date.parse(headers.get('last-modified') ?? '');
          const length = Number(headers.get('content-length') ?? Number.NaN);
          return (
            !Number.isNaN(lastModified) &&
            lastModified <= local.mtime.getTime() &&
            Number.isFinite(length) &&
            local.size >= length
          );
        },
      }),
    );
    if (res.outcome === 'written') {
      entry.outcome = 'written';
      entry.bytes = res.bytes;
    } else if (res.outcome === 'not-modified' || res.outcome === 'skipped') {
      entry.outcome = 'skipped';
      entry.bytes = local?.size ?? 0;
    } else {
      entry.error = `download of "${entry.fileName}" failed: HTTP ${res.status} from ${safeUrl(url)}${res.errorText ? ` (${res.errorText.slice(0, 120)})` : ''}`;
    }
  } catch (error) {
    entry.error = `download of "${entry.fileName}" failed: ${(error as Error).message}`;
  }
}

export interface OutputsOptions extends Omit<DownloadOutputsOptions, 'limit'> {
  /**
   * Target folder; with several kernels, `<path>/<owner>/<slug>`. Default, as the official CLI: the
   * current folder, or `<root>/kernels/<owner>/<slug>/output` when KAGGLE_PATH or kaggle.json sets a root.
   */
  path?: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

export interface OutputsResult {
  kernels: KernelOutputResult[];
  failures: KernelFailure[];
  written: number;
  skipped: number;
  refused: number;
  failed: number;
}

/** `kagg output REF...`: all kernels share one `parallel` limit on requests in flight. */
export async function downloadOutputs(
  client: KaggleClient,
  refs: KernelRef[],
  options: OutputsOptions = {},
): Promise<OutputsResult> {
  const limit = createLimit(options.parallel ?? 4);
  const cwd = options.cwd ?? process.cwd();
  const root = options.path === undefined ? kaggleDownloadRoot(options.env) : undefined;
  const base = path.resolve(cwd, options.path ?? '.');
  const settled = await Promise.allSettled(
    refs.map(async (ref) => {
      const full = await client.resolve(ref);
      const dir = root
        ? path.resolve(cwd, root, 'kernels', full.owner, full.slug, 'output')
        : refs.length > 1
          ? path.join(base, full.owner, full.slug)
          : base;
      return downloadKernelOutputs(client, full, dir, { ...options, limit });
    }),
  );
  const out: OutputsResult = { kernels: [], failures: [], written: 0, skipped: 0, refused: 0, failed: 0 };
  settled.forEach((s, i) => {
    if (s.status === 'fulfilled') {
      out.kernels.push(s.value);
      for (const f of s.value.files) {
        if (f.outcome === 'written') out.written++;
        else if (f.outcome === 'skipped') out.skipped++;
        else if (f.outcome === 'refused') out.refused++;
        else out.failed++;
      }
    } else {
      out.failures.push(kernelFailure(refs[i], s.reason));
    }
  });
  return out;
}
