/**
 * A plain-text table: the header, a rule of dashes, the rows; columns two spaces apart, the last one
 * right-aligned when it holds numbers (`rightLast`).
 */
export function textTable(
  columns: readonly string[],
  rows: ReadonlyArray<readonly string[]>,
  options: { rightLast?: boolean } = {},
): string {
  const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) =>
        options.rightLast && i === cells.length - 1 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0),
      )
      .join('  ')
      .trimEnd();
  return [line(columns), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
