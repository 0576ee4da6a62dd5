/** What the import analyses (requirements, `--optimize`) read of a cell: its text, tags and lines. */

export function sourceOf(cell: Record<string, unknown>): string {
  const source = cell['source'];
  if (typeof source === 'string') return source;
  return Array.isArray(source) ? source.filter((part) => typeof part === 'string').join('') : '';
}

export function tagsOf(cell: Record<string, unknown>): string[] {
  const metadata = cell['metadata'];
  if (typeof metadata !== 'object' || metadata === null) return [];
  const tags = (metadata as Record<string, unknown>)['tags'];
  return Array.isArray(tags) ? tags.filter((tag): tag is string => typeof tag === 'string') : [];
}

/** Line numbers of offsets in a text. */
export class LineStarts {
  private readonly starts: number[] = [0];

  constructor(text: string) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }

  /** The 1-based line holding `offset`. */
  line(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  /** The offset where 1-based `line` starts. */
  start(line: number): number {
    return this.starts[line - 1] ?? 0;
  }
}
