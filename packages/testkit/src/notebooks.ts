/** Small notebooks for tests, as nbformat 4 JSON text. */

export interface CellSpec {
  source: string;
  tags?: string[];
}

/** nbformat 4 JSON text with one code cell per spec. */
export function notebookJson(cells: readonly CellSpec[]): string {
  return JSON.stringify({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
    cells: cells.map((c, i) => ({
      id: `cell-${i}`,
      cell_type: 'code',
      execution_count: null,
      metadata: c.tags ? { tags: c.tags } : {},
      outputs: [],
      source: c.source,
    })),
  });
}
