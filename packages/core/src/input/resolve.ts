/**
 * Input resolution: what the user typed (a notebook file, a folder holding one, an https URL to a
 * notebook, a Kaggle kernel ref or URL) becomes notebook text plus where it came from.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { KaggError, usageError } from '../errors/index.js';
import { endpointNameFrom } from '../naming/index.js';
import type { ResolvedNotebook, ResolveOptions } from './types.js';
import { isLoopbackHost, rawNotebookUrl } from './urls.js';

export type { KaggleResolver, ResolvedNotebook, ResolveOptions } from './types.js';

const DEFAULT_MAX = 100 * 1024 * 1024;

function nameFromPath(p: string): string {
  return endpointNameFrom(path.basename(p).replace(/\.ipynb$/i, '')) || 'notebook';
}

async function readLocal(file: string, maxBytes: number): Promise<ResolvedNotebook> {
  const info = await stat(file);
  if (info.size > maxBytes) {
    throw new KaggError(
      `${file} is ${(info.size / 1e6).toFixed(1)} MB, over the ${(maxBytes / 1e6).toFixed(0)} MB limit for a notebook`,
      {
        code: 'INPUT_TOO_LARGE',
        action: 'strip its outputs first (`kagg preprocess --strip-outputs`)',
      },
    );
  }
  return {
    text: await readFile(file, 'utf8'),
    source: file,
    kind: 'file',
    directory: path.dirname(path.resolve(file)),
    suggestedName: nameFromPath(file),
  };
}

async function findNotebookIn(dir: string): Promise<string> {
  const names = (await readdir(dir)).filter((n) => n.toLowerCase().endsWith('.ipynb')).sort();
  if (names.length === 1) return path.join(dir, names[0]!);
  if (names.length === 0) {
    throw usageError(`the folder ${dir} holds no .ipynb notebook`, { code: 'INPUT_NO_NOTEBOOK' });
  }
  throw usageError(`the folder ${dir} holds ${names.length} notebooks (${names.join(', ')}); name the one to use`, {
    code: 'INPUT_AMBIGUOUS',
  });
}

async function defaultDownload(url: string, limits: { maxBytes: number; timeoutMs: number }) {
  const { downloadText } = await import('./download.js');
  return downloadText(url, limits);
}

async function resolveUrl(input: string, options: ResolveOptions, maxBytes: number): Promise<ResolvedNotebook> {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw usageError(`"${input}" is not a valid URL`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    throw usageError(`refusing ${url.protocol}// URL "${input}": notebooks are downloaded over https only`);
  }
  const raw = rawNotebookUrl(input);
  const { text, contentType } = await (options.download ?? defaultDownload)(raw, {
    maxBytes,
    timeoutMs: options.timeoutMs ?? 60_000,
  });
  const head = text.trimStart().slice(0, 200).toLowerCase();
  if (
    contentType.includes('text/html') ||
    head.startsWith('<!doctype html') ||
    head.startsWith('<html') ||
    head.startsWith('<')
  ) {
    throw new KaggError(`${input} serves an HTML page, not a notebook`, {
      code: 'INPUT_URL_HTML',
      action: 'link to the raw .ipynb file (on GitHub: the "Raw" button)',
      details: { url: raw, contentType },
    });
  }
  const last = decodeURIComponent(url.pathname.split('/').filter(Boolean).pop() ?? 'notebook');
  return { text, source: input, kind: 'url', suggestedName: nameFromPath(last) };
}

async function defaultKaggle(input: string): Promise<ResolvedNotebook | undefined> {
  const { kaggleResolver } = await import('./kaggle.js');
  return kaggleResolver(input);
}

export async function resolveNotebookInput(input: string, options: ResolveOptions = {}): Promise<ResolvedNotebook> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX;
  options = { kaggle: defaultKaggle, ...options };
  if (input.trim() === '') throw usageError('no notebook given');
  if (/^https?:\/\//i.test(input)) {
    if (options.kaggle && /^https?:\/\/(www\.)?kaggle\.com\//i.test(input)) {
      const hit = await options.kaggle(input);
      if (hit) return hit;
    }
    return resolveUrl(input, options, maxBytes);
  }
  const info = await stat(input).catch(() => undefined);
  if (info?.isDirectory()) return readLocal(await findNotebookIn(input), maxBytes);
  if (info?.isFile()) return readLocal(input, maxBytes);
  if (options.kaggle && /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_.-]+)?$/.test(input) && !input.endsWith('.ipynb')) {
    const hit = await options.kaggle(input);
    if (hit) return hit;
  }
  throw usageError(`no such notebook: ${input}`, {
    code: 'INPUT_NOT_FOUND',
    action: 'give a .ipynb file, a folder holding one, an https URL, or a Kaggle kernel ref (owner/slug)',
  });
}
