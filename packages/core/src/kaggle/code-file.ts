/**
 * The code file of a kernel: its name when pulled (by kernel type and language, as the official CLI
 * names it), and the text sent when pushed (notebooks with outputs cleared and sources joined).
 */
import { KaggError } from '../errors/index.js';
import { pythonJsonDumps } from './python-json.js';

const SCRIPT_EXT: Record<string, string> = { python: '.py', r: '.R', rmarkdown: '.Rmd', sqlite: '.sql', julia: '.jl' };
const NOTEBOOK_EXT: Record<string, string> = { python: '.ipynb', r: '.irnb', julia: '.ijlnb' };

/** `<slug><ext>`, or `script.py` with a warning for an unknown combination. */
export function codeFileName(
  slug: string,
  kernelType: string,
  language: string,
): { fileName: string; warning?: string } {
  const lang = language.toLowerCase();
  const type = kernelType.toLowerCase();
  const ext = type === 'notebook' ? NOTEBOOK_EXT[lang] : type === 'script' ? SCRIPT_EXT[lang] : undefined;
  if (!ext) {
    return {
      fileName: 'script.py',
      warning: `Unknown kernel type/language "${kernelType}/${language}"; the source was saved as script.py.`,
    };
  }
  return { fileName: `${slug}${ext}` };
}

/** Type and language of a local code file, from its extension (and a notebook's kernelspec). */
export function detectKernelKind(
  fileName: string,
  text: string,
): { kernelType: 'script' | 'notebook'; language: 'python' | 'r' | 'rmarkdown' } {
  const lower = fileName.toLowerCase();
  if (lower.endsWith('.ipynb') || lower.endsWith('.irnb')) {
    let language: 'python' | 'r' = lower.endsWith('.irnb') ? 'r' : 'python';
    try {
      const nb = JSON.parse(text) as {
        metadata?: { kernelspec?: { language?: string }; language_info?: { name?: string } };
      };
      const name = (nb.metadata?.kernelspec?.language ?? nb.metadata?.language_info?.name ?? '').toLowerCase();
      if (name === 'r') language = 'r';
    } catch {
      // validated when the text is prepared for sending
    }
    return { kernelType: 'notebook', language };
  }
  if (lower.endsWith('.rmd')) return { kernelType: 'script', language: 'rmarkdown' };
  if (lower.endsWith('.r')) return { kernelType: 'script', language: 'r' };
  return { kernelType: 'script', language: 'python' };
}

/**
 * What SaveKernel's `text` holds: a script verbatim; a notebook parsed, every code cell's outputs
 * emptied, list-valued sources joined into one string, re-serialized as Python's json.dumps would.
 */
export function kernelText(text: string, kernelType: string, fileLabel: string): string {
  if (kernelType !== 'notebook') return text;
  let nb: { cells?: unknown };
  try {
    nb = JSON.parse(text) as { cells?: unknown };
  } catch (error) {
    throw new KaggError(`${fileLabel} is not a valid notebook: ${(error as Error).message}`, {
      code: 'NOTEBOOK_INVALID_JSON',
      exitCode: 2,
    });
  }
  if (!nb || typeof nb !== 'object' || !Array.isArray(nb.cells)) {
    throw new KaggError(`${fileLabel} is not a valid notebook: it has no "cells" list.`, {
      code: 'NOTEBOOK_INVALID',
      exitCode: 2,
    });
  }
  for (const cell of nb.cells as Array<Record<string, unknown>>) {
    if (!cell || typeof cell !== 'object') continue;
    if (cell.cell_type === 'code') cell.outputs = [];
    if (Array.isArray(cell.source)) cell.source = cell.source.join('');
  }
  return pythonJsonDumps(nb);
}
