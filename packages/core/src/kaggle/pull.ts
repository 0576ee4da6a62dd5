/**
 * `kagg pull`: a kernel's code file (and, with `metadata`, kernel-metadata.json) written exactly as
 * the official CLI writes them (contracts/kaggle-api.md §2.4).
 */
import { mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { usageError } from '../errors/index.js';
import { writeFileAtomic } from '../fs/index.js';
import { kaggleDownloadRoot } from './auth.js';
import type { KaggleClient } from './client.js';
import { codeFileName } from './code-file.js';
import { METADATA_FILE, pulledMetadataJson } from './metadata.js';
import { createLimit, type KernelFailure, kernelFailure } from './parallel.js';
import { type FullKernelRef, formatRef, type KernelRef } from './ref.js';
import { unsafeNameReason } from './safe-path.js';
import type { KernelInfo } from './types.js';

export interface KernelNotebook {
  ref: FullKernelRef;
  /** The source as Kaggle stores it (a notebook's .ipynb JSON, or a script). */
  text: string;
  /** The file name the official CLI would give it (`<slug>.ipynb`, `<slug>.py`, …). */
  fileName: string;
  metadata: KernelInfo;
  kernelType: string;
  language: string;
  warnings: string[];
}

/** Downloads a kernel's source without writing anything (used by pull, run and deploy). */
export async function fetchKernelNotebook(client: KaggleClient, ref: KernelRef): Promise<KernelNotebook> {
  const full = await client.resolve(ref);
  const { metadata, blob } = await client.getKernel(full);
  const kernelType = blob.kernelType || metadata.kernelType;
  const language = blob.language || metadata.language;
  const named = codeFileName(blob.slug || metadata.slug || full.slug, kernelType, language);
  return {
    ref: full,
    text: blob.source,
    fileName: named.fileName,
    metadata,
    kernelType,
    language,
    warnings: named.warning ? [named.warning] : [],
  };
}

export interface PullOptions {
  /**
   * Target folder, or an existing file to overwrite with the code. Default, as the official CLI:
   * `<root>/kernels/<owner>/<slug>` when KAGGLE_PATH or kaggle.json's `path` sets a root, else the
   * current folder.
   */
  path?: string;
  /** Environment for the download root (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Also write kernel-metadata.json. */
  metadata?: boolean;
  /** Put each kernel in `<path>/<owner>/<slug>` (used when pulling several kernels into one path). */
  perKernelFolder?: boolean;
  cwd?: string;
}

export interface PullResult {
  ref: string;
  dir: string;
  codeFile: string;
  metadataFile: string | null;
  bytes: number;
  warnings: string[];
}

async function existingCodeFile(dir: string): Promise<string | undefined> {
  try {
    const meta = JSON.parse(await readFile(path.join(dir, METADATA_FILE), 'utf8')) as { code_file?: unknown };
    const name = meta.code_file;
    if (typeof name === 'string' && name && !name.includes('INSERT_CODE_FILE_PATH_HERE') && !unsafeNameReason(name))
      return name;
  } catch {
    // no usable metadata: the default name applies
  }
  return undefined;
}

export async function pullKernel(client: KaggleClient, ref: KernelRef, options: PullOptions = {}): Promise<PullResult> {
  const nb = await fetchKernelNotebook(client, ref);
  const cwd = options.cwd ?? process.cwd();
  const root = kaggleDownloadRoot(options.env);
  let target = options.path
    ? options.perKernelFolder
      ? path.resolve(cwd, options.path, nb.ref.owner, nb.ref.slug)
      : path.resolve(cwd, options.path)
    : root
      ? path.resolve(cwd, root, 'kernels', nb.ref.owner, nb.ref.slug)
      : cwd;
  // `-p` naming an existing file: the code goes into that file (official CLI).
  const intoFile = await stat(target).then(
    (s) => s.isFile(),
    () => false,
  );
  const dir = intoFile ? path.dirname(target) : target;
  if (!intoFile) await mkdir(dir, { recursive: true });
  const fileName = intoFile ? path.basename(target) : ((await existingCodeFile(dir)) ?? nb.fileName);
  const codePath = path.join(dir, fileName);
  target = dir;
  await mkdir(path.dirname(codePath), { recursive: true });
  // Atomic: a symlink already at the destination is replaced, never written through (which would
  // change a file outside the folder), and an interrupted pull leaves the old file whole.
  await writeFileAtomic(codePath, nb.text, 0o644);
  let metadataFile: string | null = null;
  if (options.metadata) {
    metadataFile = path.join(dir, METADATA_FILE);
    await writeFileAtomic(metadataFile, pulledMetadataJson(nb.metadata, fileName), 0o644);
  }
  return {
    ref: formatRef(nb.ref),
    dir: target,
    codeFile: codePath,
    metadataFile,
    bytes: Buffer.byteLength(nb.text),
    warnings: nb.warnings,
  };
}

export interface PullManyResult {
  kernels: PullResult[];
  failures: KernelFailure[];
}

/** Pulls several kernels, `parallel` at a time; one failure does not stop the others. */
export async function pullKernels(
  client: KaggleClient,
  refs: KernelRef[],
  options: PullOptions & { parallel?: number } = {},
): Promise<PullManyResult> {
  const limit = createLimit(options.parallel ?? 4);
  const perKernelFolder = options.perKernelFolder ?? (refs.length > 1 && Boolean(options.path));
  const settled = await Promise.allSettled(
    refs.map((r) => limit(() => pullKernel(client, r, { ...options, perKernelFolder }))),
  );
  const out: PullManyResult = { kernels: [], failures: [] };
  settled.forEach((s, i) => {
    if (s.status === 'fulfilled') out.kernels.push(s.value);
    else {
      out.failures.push(kernelFailure(refs[i], s.reason));
    }
  });
  return out;
}

/**
 * The kernel a pull with no ref means, as the official CLI reads it: the `id` of kernel-metadata.json in
 * `dir`. Undefined when there is no such file; a usage error when its id is the template's placeholder.
 */
export async function kernelIdFromFolder(dir: string): Promise<string | undefined> {
  const file = path.join(dir, METADATA_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  let id: unknown;
  try {
    id = (JSON.parse(text) as { id?: unknown }).id;
  } catch (error) {
    throw usageError(`${file} is not valid JSON (${(error as Error).message}).`, { code: 'KAGGLE_BAD_METADATA' });
  }
  if (typeof id !== 'string' || id === '' || id.includes('INSERT_KERNEL_SLUG_HERE'))
    throw usageError(`${file} does not name a kernel (its "id" is ${JSON.stringify(id ?? null)}); give a REF.`, {
      code: 'KAGGLE_BAD_METADATA',
    });
  return id;
}
