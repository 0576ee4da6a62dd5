/**
 * Output stripping with nbstripout's semantics: every code cell loses its outputs and execution count,
 * except cells tagged `keep_output` or with `keep_output: true` metadata (or `init_cell: true`, unless
 * `stripInitCells`); `keepCount` keeps counts; `dropEmptyCells` removes blank cells; cell ids are
 * renumbered "0", "1", ... unless `keepId`; nbstripout's default metadata keys are popped.
 */

import { usageError } from '@kagg/core/errors';
import type { NotebookDocument } from '@kagg/plugin-api';
import { isRecord } from '@kagg/plugin-api/kit';

export interface StripOptions {
  /** Keep every output (notebook metadata `keep_output: true` does the same). */
  keepOutput?: boolean;
  keepCount?: boolean;
  keepId?: boolean;
  dropEmptyCells?: boolean;
  stripInitCells?: boolean;
  /** Source of the notebook, for error messages. */
  source?: string;
}

const NOTEBOOK_KEYS = ['signature', 'widgets'];
const CELL_METADATA_KEYS = ['collapsed', 'ExecuteTime', 'execution', 'heading_collapsed', 'hidden', 'scrolled'];

function sourceText(value: unknown): string {
  if (typeof value === 'string') return value;
  return Array.isArray(value) ? value.filter((part) => typeof part === 'string').join('') : '';
}

function keepOutputOf(cell: Record<string, unknown>, fallback: boolean, options: StripOptions, index: number): boolean {
  const metadata = cell['metadata'];
  if (!isRecord(metadata)) return fallback;
  if ('init_cell' in metadata) return Boolean(metadata['init_cell']) && !options.stripInitCells;
  const hasMetadata = 'keep_output' in metadata;
  const metadataValue = Boolean(metadata['keep_output']);
  const tags = Array.isArray(metadata['tags']) ? metadata['tags'] : [];
  const hasTag = tags.includes('keep_output');
  if (hasMetadata && !metadataValue && hasTag) {
    throw usageError(
      `${options.source ?? 'notebook'}: cell ${index} has keep_output metadata set to false but also the keep_output tag`,
    );
  }
  if (hasMetadata || hasTag) return metadataValue || hasTag;
  return fallback;
}

/** Strips outputs and execution counts in place of a copy; returns the new document. */
export function stripOutputs(document: NotebookDocument, options: StripOptions = {}): NotebookDocument {
  const metadata: Record<string, unknown> = isRecord(document.metadata) ? { ...document.metadata } : {};
  let keepOutput = options.keepOutput ?? false;
  if (options.keepOutput === undefined && 'keep_output' in metadata) keepOutput = Boolean(metadata['keep_output']);
  for (const key of NOTEBOOK_KEYS) delete metadata[key];

  const cells = (Array.isArray(document.cells) ? document.cells : []).filter(
    (cell) => !options.dropEmptyCells || sourceText(cell['source']).trim() !== '',
  );
  const stripped = cells.map((original, index) => {
    const cell: Record<string, unknown> = { ...original };
    const keep = keepOutputOf(cell, keepOutput, options, index);
    if (Array.isArray(cell['outputs'])) {
      const outputs = keep ? (cell['outputs'] as unknown[]) : [];
      cell['outputs'] = options.keepCount
        ? outputs
        : outputs.map((output) =>
            isRecord(output) && 'execution_count' in output ? { ...output, execution_count: null } : output,
          );
    }
    if ('prompt_number' in cell && !options.keepCount) cell['prompt_number'] = null;
    if ('execution_count' in cell && !options.keepCount) cell['execution_count'] = null;
    if ('id' in cell && !options.keepId) cell['id'] = String(index);
    if (isRecord(cell['metadata'])) {
      const cellMetadata = { ...cell['metadata'] };
      for (const key of CELL_METADATA_KEYS) delete cellMetadata[key];
      cell['metadata'] = cellMetadata;
    }
    return cell;
  });
  return { ...document, metadata, cells: stripped };
}
