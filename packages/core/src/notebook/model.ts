import type { NotebookDocument } from '@kagg/plugin-api';

export type CellType = 'code' | 'markdown' | 'raw';

/** One notebook cell, normalised: source joined, tags lifted out of the metadata. */
export interface Cell {
  /** 0-based position in the notebook, all cell types counted. */
  index: number;
  /** The cell's nbformat id, or `cell-<index>` when it has none. */
  id: string;
  type: CellType;
  /** The cell's source, joined into one string. */
  source: string;
  /** `metadata.tags`, strings only. */
  tags: string[];
  metadata: Record<string, unknown>;
  outputs: unknown[];
}

/** A notebook read and checked: the raw document (what transforms rewrite) and its normalised cells. */
export interface Notebook {
  /** The notebook's path or URL, for messages. */
  source: string;
  document: NotebookDocument;
  cells: Cell[];
}

/** Tag that leaves a cell out of the function. */
export const SKIP_DEPLOY_TAG = 'skip-deploy';
/** papermill's tag for the cell holding the defaults. */
export const PARAMETERS_TAG = 'parameters';
/** papermill's tag for the cell it injects after the parameters cell. */
export const INJECTED_PARAMETERS_TAG = 'injected-parameters';

export function hasTag(cell: Cell, tag: string): boolean {
  return cell.tags.includes(tag);
}

/** The code cells that go into the function, in order. */
export function deployableCells(notebook: Notebook): Cell[] {
  return notebook.cells.filter(
    (cell) => cell.type === 'code' && !hasTag(cell, SKIP_DEPLOY_TAG) && !hasTag(cell, INJECTED_PARAMETERS_TAG),
  );
}

/** A notebook's document as Jupyter writes it (one-space indent, trailing newline). */
export function serializeNotebook(document: NotebookDocument): string {
  return `${JSON.stringify(document, null, 1)}\n`;
}
