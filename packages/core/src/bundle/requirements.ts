/**
 * Merging pip requirement lines from several sources (the notebook's `pip install` lines, the
 * preprocessor's import analysis, a requirements.txt next to the notebook). Names compare after
 * PEP 503 normalisation; a pinned line wins over a bare name; the result is sorted.
 */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** The distribution name of a requirement line, or undefined for options/URLs/blank lines. */
export function requirementName(line: string): string | undefined {
  const m = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(line);
  return m?.[1] ? normalizeName(m[1]) : undefined;
}

/** Parses requirements.txt text: comments and blank lines dropped, options (`-r`, `--index-url`) reported. */
export function parseRequirementsText(text: string): { lines: string[]; ignored: string[] } {
  const lines: string[] = [];
  const ignored: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (line === '') continue;
    if (line.startsWith('-') || !requirementName(line)) ignored.push(line);
    else lines.push(line);
  }
  return { lines, ignored };
}

export function mergeRequirements(...sources: Array<readonly string[] | undefined>): {
  requirements: string[];
  conflicts: string[];
} {
  const byName = new Map<string, string>();
  const conflicts: string[] = [];
  for (const source of sources) {
    for (const raw of source ?? []) {
      const line = raw.trim();
      const name = requirementName(line);
      if (!name) continue;
      const existing = byName.get(name);
      if (existing === undefined) {
        byName.set(name, line);
        continue;
      }
      const existingPinned = existing.length > existing.match(/^[A-Za-z0-9._-]+/)![0].length;
      const pinned = line.length > line.match(/^[A-Za-z0-9._-]+/)![0].length;
      if (!existingPinned && pinned) byName.set(name, line);
      else if (existingPinned && pinned && existing.replace(/\s/g, '') !== line.replace(/\s/g, '')) {
        conflicts.push(`${name}: kept "${existing}", ignored "${line}"`);
      }
    }
  }
  const requirements = [...byName.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, l]) => l);
  return { requirements, conflicts };
}
