/**
 * Cleaning by allowlist: a notebook keeps `kernelspec`, `language_info.name` and, on request, Kaggle's
 * `kaggle.dataSources`; a cell keeps its `tags` (and the `keep_output`/`init_cell` flags output
 * stripping honours). Everything else at notebook and cell level goes: widget state, papermill
 * parameters, editor and extension keys, execution timings. The result is valid nbformat 4.
 */
import type { NotebookDocument } from '@kagg/plugin-api';
import { isRecord } from '@kagg/plugin-api/kit';

export interface CleanOptions {
  /** Keep `metadata.kaggle.dataSources` (what `/kaggle/input` paths resolve against). */
  keepDataSources?: boolean;
}

export interface CleanResult {
  notebook: NotebookDocument;
  /** Dotted paths of what was removed (`metadata.widgets`, `cells[3].metadata.papermill`). */
  removed: string[];
}

const KERNELSPEC_KEYS = ['display_name', 'language', 'name'];
const CELL_KEYS: Record<string, readonly string[]> = {
  code: ['cell_type', 'execution_count', 'id', 'metadata', 'outputs', 'source'],
  markdown: ['attachments', 'cell_type', 'id', 'metadata', 'source'],
  raw: ['attachments', 'cell_type', 'id', 'metadata', 'source'],
};
const CELL_ID = /^[a-zA-Z0-9_-]{1,64}$/;

function cleanMetadata(
  metadata: Record<string, unknown>,
  options: CleanOptions,
  removed: string[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(metadata)) {
    if (key === 'kernelspec' && isRecord(value)) {
      const spec: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        if (KERNELSPEC_KEYS.includes(k) && typeof v === 'string') spec[k] = v;
        else removed.push(`metadata.kernelspec.${k}`);
      }
      if (typeof spec['name'] === 'string') {
        spec['display_name'] ??= spec['name'];
        out[key] = spec;
      } else removed.push('metadata.kernelspec');
    } else if (key === 'language_info' && isRecord(value) && typeof value['name'] === 'string') {
      out[key] = { name: value['name'] };
      for (const k of Object.keys(value)) if (k !== 'name') removed.push(`metadata.language_info.${k}`);
    } else if (key === 'kaggle' && options.keepDataSources && isRecord(value) && Array.isArray(value['dataSources'])) {
      out[key] = { dataSources: value['dataSources'] };
      for (const k of Object.keys(value)) if (k !== 'dataSources') removed.push(`metadata.kaggle.${k}`);
    } else {
      removed.push(`metadata.${key}`);
    }
  }
  return out;
}

function cleanCellMetadata(metadata: unknown, where: string, removed: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!isRecord(metadata)) return out;
  for (const [key, value] of Object.entries(metadata)) {
    if (key === 'tags' && Array.isArray(value)) {
      const tags = value.filter((tag): tag is string => typeof tag === 'string' && tag !== '' && !/[\s,]/.test(tag));
      if (tags.length > 0) out[key] = [...new Set(tags)];
    } else if ((key === 'keep_output' || key === 'init_cell') && typeof value === 'boolean') {
      out[key] = value;
    } else {
      removed.push(`${where}.metadata.${key}`);
    }
  }
  return out;
}

/** Removes every notebook and cell metadata key not on the allowlist. Returns a new document. */
export function cleanNotebook(document: NotebookDocument, options: CleanOptions = {}): CleanResult {
  const removed: string[] = [];
  for (const key of Object.keys(document)) {
    if (!['cells', 'metadata', 'nbformat', 'nbformat_minor'].includes(key)) removed.push(key);
  }
  const minor = typeof document.nbformat_minor === 'number' ? document.nbformat_minor : 0;
  const seenIds = new Set<string>();
  const cells = (Array.isArray(document.cells) ? document.cells : []).map((cell, index) => {
    const where = `cells[${index}]`;
    const type = typeof cell['cell_type'] === 'string' ? cell['cell_type'] : 'code';
    const allowed = CELL_KEYS[type] ?? CELL_KEYS['code']!;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(cell)) {
      if (!allowed.includes(key)) {
        removed.push(`${where}.${key}`);
        continue;
      }
      if (key === 'metadata') continue;
      if (key === 'id') continue;
      if (key === 'attachments' && !isRecord(value)) continue;
      out[key] = value;
    }
    out['metadata'] = cleanCellMetadata(cell['metadata'], where, removed);
    out['source'] ??= '';
    if (type === 'code') {
      if (!Array.isArray(out['outputs'])) out['outputs'] = [];
      else out['outputs'] = (out['outputs'] as unknown[]).map(cleanOutput);
      if (typeof out['execution_count'] !== 'number') out['execution_count'] = null;
    }
    if (minor >= 5) {
      let id = typeof cell['id'] === 'string' && CELL_ID.test(cell['id']) ? cell['id'] : `cell-${index}`;
      for (let n = 1; seenIds.has(id); n++) id = `cell-${index}-${n}`;
      seenIds.add(id);
      out['id'] = id;
    } else if ('id' in cell) {
      removed.push(`${where}.id`);
    }
    return out;
  });
  const metadata = cleanMetadata(isRecord(document.metadata) ? document.metadata : {}, options, removed);
  return {
    notebook: { cells, metadata, nbformat: 4, nbformat_minor: minor },
    removed,
  };
}

/** Outputs keep their content; only nbformat's transient display data goes. */
function cleanOutput(output: unknown): unknown {
  if (!isRecord(output) || !('transient' in output)) return output;
  const { transient: _transient, ...rest } = output;
  return rest;
}
