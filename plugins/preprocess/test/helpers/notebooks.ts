import type { NotebookDocument } from '@kagg/plugin-api';

/** A notebook of code cells (strings) and other cells (objects), nbformat 4.5. */
export function notebookOf(
  cells: Array<string | Record<string, unknown>>,
  metadata: Record<string, unknown> = {},
): NotebookDocument {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' }, ...metadata },
    cells: cells.map((cell, k) =>
      typeof cell === 'string'
        ? { cell_type: 'code', id: `cell-${k}`, metadata: {}, execution_count: null, outputs: [], source: cell }
        : { id: `cell-${k}`, metadata: {}, ...cell },
    ),
  };
}
