/**
 * `kagg push`: a folder with kernel-metadata.json, or a bare notebook/script (metadata made for it:
 * owner from the credentials, slug from the title). Pushing the same kernel again makes a new
 * version of it (same slug or id), never a new kernel. A 200 answer carrying `error` is a failure
 * showing the server's text; sources Kaggle dropped are warnings.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { KaggError, usageError } from '../errors/index.js';
import type { KaggleClient } from './client.js';
import { detectKernelKind, kernelText } from './code-file.js';
import {
  type KernelMetadataFile,
  METADATA_FILE,
  metadataForBareFile,
  saveKernelRequest,
  validateKernelMetadata,
} from './metadata.js';
import { unsafeNameReason } from './safe-path.js';
import type { SaveKernelRequest } from './types.js';

const CODE_EXT = ['.ipynb', '.py', '.r', '.rmd', '.irnb'];

export interface PushOptions {
  /** SaveKernel `sessionTimeoutSeconds`. */
  sessionTimeoutSeconds?: number;
  /** Overrides `machine_shape`. */
  machineShape?: string;
}

export interface PreparedPush {
  metadata: KernelMetadataFile;
  request: SaveKernelRequest;
  codeFile: string;
  /** True when no kernel-metadata.json was used and kagg made the metadata. */
  generated: boolean;
  warnings: string[];
}

export interface PushResult {
  ref: string;
  url: string;
  versionNumber: number | null;
  kernelId: number | null;
  codeFile: string;
  metadataGenerated: boolean;
  warnings: string[];
}

async function readJson(file: string): Promise<unknown> {
  const text = await readFile(file, 'utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw usageError(`${file} is not valid JSON: ${(error as Error).message}`, { code: 'KERNEL_METADATA_INVALID' });
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

async function fromMetadataFile(metaPath: string, options: PushOptions): Promise<PreparedPush> {
  const { metadata, warnings } = await validateKernelMetadata(await readJson(metaPath), metaPath);
  const reason = unsafeNameReason(metadata.code_file);
  if (reason && !path.isAbsolute(metadata.code_file)) {
    throw usageError(`${metaPath}: "code_file" ${reason} (got ${JSON.stringify(metadata.code_file)}).`, {
      code: 'KERNEL_METADATA_INVALID',
    });
  }
  const codeFile = path.resolve(path.dirname(metaPath), metadata.code_file);
  if (!(await exists(codeFile))) {
    throw usageError(`${metaPath}: "code_file" names ${codeFile}, which does not exist.`, {
      code: 'KERNEL_METADATA_INVALID',
    });
  }
  const text = kernelText(await readFile(codeFile, 'utf8'), metadata.kernel_type, codeFile);
  return { metadata, request: saveKernelRequest(metadata, text, options), codeFile, generated: false, warnings };
}

async function fromBareFile(client: KaggleClient, codeFile: string, options: PushOptions): Promise<PreparedPush> {
  const raw = await readFile(codeFile, 'utf8');
  const kind = detectKernelKind(codeFile, raw);
  const owner = await client.username();
  let title: string | undefined;
  if (kind.kernelType === 'notebook') {
    try {
      const nb = JSON.parse(raw) as { metadata?: { title?: unknown; kaggle?: { title?: unknown } } };
      const t = nb.metadata?.kaggle?.title ?? nb.metadata?.title;
      if (typeof t === 'string') title = t;
    } catch {
      // reported by kernelText below
    }
  }
  const metadata = metadataForBareFile(owner, path.basename(codeFile), kind, title);
  const text = kernelText(raw, metadata.kernel_type, codeFile);
  return { metadata, request: saveKernelRequest(metadata, text, options), codeFile, generated: true, warnings: [] };
}

/** Reads and validates what would be pushed, without sending anything (except asking who the user is). */
export async function preparePush(
  client: KaggleClient,
  input: string,
  options: PushOptions = {},
): Promise<PreparedPush> {
  const target = path.resolve(input);
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(target);
  } catch {
    throw usageError(`${input} does not exist.`, {
      code: 'PUSH_INPUT_MISSING',
      action: 'Give a folder holding kernel-metadata.json, or a notebook/script file.',
    });
  }
  if (info.isDirectory()) {
    const metaPath = path.join(target, METADATA_FILE);
    if (await exists(metaPath)) return fromMetadataFile(metaPath, options);
    const names = (await readdir(target)).sort();
    const code =
      names.find((n) => n.toLowerCase().endsWith('.ipynb')) ??
      names.find((n) => CODE_EXT.some((e) => n.toLowerCase().endsWith(e)));
    if (!code) {
      throw usageError(`${input} has no ${METADATA_FILE} and no notebook or script to push.`, {
        code: 'PUSH_INPUT_EMPTY',
      });
    }
    return fromBareFile(client, path.join(target, code), options);
  }
  const siblingMeta = path.join(path.dirname(target), METADATA_FILE);
  if (await exists(siblingMeta)) {
    const parsed = (await readJson(siblingMeta)) as { code_file?: unknown };
    if (typeof parsed.code_file === 'string' && path.resolve(path.dirname(target), parsed.code_file) === target) {
      return fromMetadataFile(siblingMeta, options);
    }
  }
  return fromBareFile(client, target, options);
}

function droppedWarnings(result: Awaited<ReturnType<KaggleClient['saveKernel']>>): string[] {
  const out: string[] = [];
  const add = (what: string, values: string[]) => {
    if (values.length > 0) out.push(`Kaggle dropped these ${what} (not found or not accessible): ${values.join(', ')}`);
  };
  add('tags', result.invalidTags);
  add('dataset sources', result.invalidDatasetSources);
  add('competition sources', result.invalidCompetitionSources);
  add('kernel sources', result.invalidKernelSources);
  add('model sources', result.invalidModelSources);
  return out;
}

/** `/code/owner/slug` or a URL → `owner/slug`. */
function refFromResponse(ref: string, url: string, fallback: string | undefined): string {
  for (const candidate of [ref, url]) {
    const m = /(?:^|\/code\/|^\/)([A-Za-z0-9][\w-]*)\/([A-Za-z0-9][\w-]*)\/?$/.exec(
      candidate.replace(/^https?:\/\/[^/]+/, ''),
    );
    if (m) return `${m[1]}/${m[2]}`;
  }
  return fallback ?? '';
}

/** Sends a prepared push. */
export async function sendPush(client: KaggleClient, prepared: PreparedPush): Promise<PushResult> {
  const result = await client.saveKernel(prepared.request);
  if (result.error) {
    const target = prepared.metadata.id ?? `id ${prepared.metadata.id_no}`;
    throw new KaggError(`Kernel push error: ${result.error}`, {
      code: 'KAGGLE_PUSH_REJECTED',
      action: /not found/i.test(result.error)
        ? `You can push only to your own kernels (and to notebooks saved at least once). Check "id" (${target}) in ${METADATA_FILE}.`
        : undefined,
      details: { kernel: target, serverError: result.error },
    });
  }
  return {
    ref: refFromResponse(result.ref, result.url, prepared.metadata.id),
    url: result.url,
    versionNumber: result.versionNumber ?? null,
    kernelId: result.kernelId ?? null,
    codeFile: prepared.codeFile,
    metadataGenerated: prepared.generated,
    warnings: [...prepared.warnings, ...droppedWarnings(result)],
  };
}

export async function pushKernel(client: KaggleClient, input: string, options: PushOptions = {}): Promise<PushResult> {
  return sendPush(client, await preparePush(client, input, options));
}
