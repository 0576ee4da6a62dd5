/**
 * A small RFC 4180 CSV reader: quoted fields with `""` escapes and line breaks, CRLF or LF, each
 * record tagged with the line it starts on (for error messages). Lines whose first character is `#`
 * and blank lines between records are skipped.
 */
export interface CsvRecord {
  line: number;
  fields: string[];
  /** The record's text as written (cut to 200 characters), for messages. */
  text: string;
}

export interface CsvProblem {
  line: number;
  text: string;
  reason: string;
}

export function parseCsv(text: string): { records: CsvRecord[]; problems: CsvProblem[] } {
  const records: CsvRecord[] = [];
  const problems: CsvProblem[] = [];
  const src = text.replace(/^\uFEFF/, '');
  let i = 0;
  let line = 1;
  while (i < src.length) {
    // Skip blank lines and comment lines between records.
    const lineEnd = src.indexOf('\n', i) === -1 ? src.length : src.indexOf('\n', i);
    const raw = src.slice(i, lineEnd).replace(/\r$/, '');
    if (raw.trim() === '' || raw.trimStart().startsWith('#')) {
      i = lineEnd + 1;
      line++;
      continue;
    }
    const startLine = line;
    const start = i;
    const fields: string[] = [];
    let field = '';
    // field.trim() === '', kept up to date as the field grows (testing it at each quote was quadratic)
    let blank = true;
    const append = (text: string): void => {
      field += text;
      if (blank && text.trim() !== '') blank = false;
    };
    let quoted = false;
    let problem: string | undefined;
    for (;;) {
      if (i >= src.length) {
        if (quoted) problem = 'a quoted field is not closed';
        fields.push(field);
        break;
      }
      const c = src[i] as string;
      if (quoted) {
        if (c === '"') {
          if (src[i + 1] === '"') {
            append('"');
            i += 2;
            continue;
          }
          quoted = false;
          i++;
          const next = src[i];
          if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') {
            problem ??= 'text after a closing quote';
          }
          continue;
        }
        if (c === '\n') line++;
        append(c);
        i++;
        continue;
      }
      if (c === '"' && blank) {
        quoted = true;
        field = '';
        i++;
        continue;
      }
      if (c === ',') {
        fields.push(field);
        field = '';
        blank = true;
        i++;
        continue;
      }
      if (c === '\r' && src[i + 1] === '\n') {
        i++;
        continue;
      }
      if (c === '\n') {
        fields.push(field);
        i++;
        line++;
        break;
      }
      append(c);
      i++;
    }
    const recordText = src
      .slice(start, i)
      .replace(/\r?\n$/, '')
      .slice(0, 200);
    if (problem) problems.push({ line: startLine, text: recordText, reason: `malformed CSV: ${problem}` });
    else records.push({ line: startLine, fields: fields.map((f) => f.trim()), text: recordText });
  }
  return { records, problems };
}
