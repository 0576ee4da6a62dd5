/**
 * Reading batch files. Four formats, chosen by extension, else by content:
 *   text   one input a line; `#` starts a comment (at the start of a line or after a space); blank lines ignored
 *   csv    a header naming `input` and any of the other item fields, then one item a row
 *   json   an array of items (objects or plain input strings), or `{ "defaults": {…}, "items": […] }`
 *   jsonl  one item a line (an object or a JSON string)
 * Every item is checked against the batch item schema (ajv). A bad item becomes an `InvalidItem`
 * with its line and reason; the rest are kept. Only a file that cannot be read as its format at all
 * (JSON syntax, a CSV header without `input`) is a usage error.
 */
import path from 'node:path';
import { usageError } from '../errors/index.js';
import { compileSchema, describeErrors } from '../schema/index.js';
import { parseCsv } from './csv.js';
import { batchDefaultsSchema, batchItemSchema } from './schema.js';
import type { BatchFileFormat, InvalidItem, ItemDefaults, ItemSpec, ParsedBatchFile } from './types.js';

const FIELDS = ['input', 'name', 'target', 'path', 'region', 'memory', 'timeout', 'public', 'set', 'env', 'force'];

function short(text: string): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > 120 ? `${one.slice(0, 117)}...` : one;
}

/** An item as JSON, for messages; one nested too deeply for JSON.stringify is described instead. */
function shown(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return '(a value nested too deeply to show)';
  }
}

export function detectFormat(file: string, text: string): BatchFileFormat {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.json') return 'json';
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  if (ext === '.txt' || ext === '.list' || ext === '.lst') return 'text';
  const lines = text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const first = lines[0] ?? '';
  if (first.startsWith('[')) return 'json';
  if (first.startsWith('{')) {
    try {
      JSON.parse(text);
      return 'json';
    } catch {
      return 'jsonl';
    }
  }
  if (/^"?input"?\s*(,|$)/i.test(first) && first.includes(',')) return 'csv';
  return 'text';
}

/** A text line without its comment: `#` at the start or after whitespace (a URL's `#fragment` stays). */
function stripComment(line: string): string {
  const m = /(^|\s)#/.exec(line);
  return (m ? line.slice(0, m.index) : line).trim();
}

function parseText(text: string): Array<{ line: number; value: unknown; text: string }> {
  const out: Array<{ line: number; value: unknown; text: string }> = [];
  text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .forEach((raw, i) => {
      const input = stripComment(raw);
      if (input !== '') out.push({ line: i + 1, value: { input }, text: raw });
    });
  return out;
}

/** CSV cells are text: numbers, booleans, `set` and `env` get their types here (the schema checks the rest). */
function csvValue(field: string, cell: string): unknown {
  if (field === 'memory' || field === 'timeout') return /^\d+$/.test(cell) ? Number(cell) : cell;
  if (field === 'public' || field === 'force') {
    if (/^(true|yes|1)$/i.test(cell)) return true;
    if (/^(false|no|0)$/i.test(cell)) return false;
    return cell;
  }
  if (field === 'set') return cell.split(/[;\s]+/).filter(Boolean);
  if (field === 'env') {
    const env: Record<string, string> = {};
    for (const pair of cell.split(';').filter((p) => p.trim() !== '')) {
      const eq = pair.indexOf('=');
      env[(eq < 0 ? pair : pair.slice(0, eq)).trim()] = eq < 0 ? '' : pair.slice(eq + 1);
    }
    return env;
  }
  return cell;
}

function parseCsvItems(file: string, text: string) {
  const { records, problems } = parseCsv(text);
  const invalid: InvalidItem[] = problems.map((p) => ({
    index: 0,
    line: p.line,
    text: short(p.text),
    reason: p.reason,
  }));
  const header = records.shift();
  if (!header) return { items: [], invalid };
  const columns = header.fields.map((f) => f.toLowerCase());
  if (!columns.includes('input')) {
    throw usageError(
      `${file}: line ${header.line}: the CSV header must name an "input" column (got ${header.fields.join(', ')})`,
      {
        code: 'BATCH_FILE_INVALID',
      },
    );
  }
  const unknown = columns.filter((c) => !FIELDS.includes(c));
  if (unknown.length > 0) {
    throw usageError(
      `${file}: line ${header.line}: unknown CSV column(s) ${unknown.join(', ')}; known: ${FIELDS.join(', ')}`,
      {
        code: 'BATCH_FILE_INVALID',
      },
    );
  }
  const items: Array<{ line: number; value: unknown; text: string }> = [];
  for (const r of records) {
    if (r.fields.length !== columns.length) {
      invalid.push({
        index: 0,
        line: r.line,
        text: short(r.text),
        reason: `has ${r.fields.length} field(s), the header has ${columns.length}`,
      });
      continue;
    }
    const value: Record<string, unknown> = {};
    columns.forEach((c, i) => {
      const cell = r.fields[i] ?? '';
      if (cell !== '') value[c] = csvValue(c, cell);
    });
    items.push({ line: r.line, value, text: r.text });
  }
  return { items, invalid };
}

/** Line numbers where each element of the items array starts (the root array, or the root object's `items`). */
function elementLines(text: string): number[] {
  const lines: number[] = [];
  const stack: Array<{ kind: '{' | '['; target: boolean }> = [];
  let line = 1;
  let key: string | undefined;
  let awaiting = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '\n') {
      line++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\uFEFF') continue;
    const top = stack.at(-1);
    if (awaiting && top?.target && c !== ']') {
      lines.push(line);
      awaiting = false;
    }
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const str = text.slice(i + 1, j);
      i = j;
      if (top?.kind === '{' && stack.length === 1) {
        let k = j + 1;
        while (/\s/.test(text[k] ?? '')) k++;
        if (text[k] === ':') key = str;
      }
      continue;
    }
    if (c === '[') {
      const target =
        (stack.length === 0 && lines.length === 0) || (stack.length === 1 && top?.kind === '{' && key === 'items');
      stack.push({ kind: '[', target });
      if (target) awaiting = true;
      continue;
    }
    if (c === '{') {
      stack.push({ kind: '{', target: false });
      continue;
    }
    if (c === ']' || c === '}') {
      stack.pop();
      continue;
    }
    if (c === ',' && top?.target) awaiting = true;
  }
  return lines;
}

/** Offset of the first JSON syntax error (V8's messages do not always say where it is). */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\r\n\uFEFF'.includes(text[i] as string)) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i++;
      ws();
      if (text[i] === close) {
        i++;
        return;
      }
      for (;;) {
        if (c === '{') {
          ws();
          if (text[i] !== '"') fail();
          value();
          ws();
          if (text[i] !== ':') fail();
          i++;
        }
        value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === close) {
          i++;
          return;
        }
        fail();
      }
    }
    if (c === '"') {
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\') i++;
        else if ((text[i] as string) < ' ') fail();
        i++;
      }
      if (i >= text.length) fail();
      i++;
      return;
    }
    const m = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 400));
    if (!m) fail();
    i += (m as RegExpExecArray)[0].length;
  };
  try {
    value();
    ws();
    return i < text.length ? i : -1;
  } catch (at) {
    return typeof at === 'number' ? at : -1;
  }
}

function jsonPosition(text: string, error: Error): string {
  const pos = jsonErrorOffset(text);
  const reason = error.message.replace(/,? ".*$/s, '').replace(/ at position \d+.*$/, '');
  if (pos < 0) return reason;
  const before = text.slice(0, pos).split('\n');
  return `line ${before.length} column ${(before.at(-1)?.length ?? 0) + 1}: ${reason}`;
}

async function parseJsonItems(file: string, text: string) {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw usageError(`${file} is not valid JSON (${jsonPosition(text, error as Error)})`, {
      code: 'BATCH_FILE_INVALID',
    });
  }
  let list: unknown[];
  let defaults: ItemDefaults = {};
  if (Array.isArray(doc)) list = doc;
  else if (doc && typeof doc === 'object' && Array.isArray((doc as { items?: unknown }).items)) {
    const o = doc as Record<string, unknown>;
    const extra = Object.keys(o).filter((k) => !['items', 'defaults', '$schema'].includes(k));
    if (extra.length > 0) {
      throw usageError(`${file}: unknown top-level key(s) ${extra.join(', ')} (expected "defaults" and "items")`, {
        code: 'BATCH_FILE_INVALID',
      });
    }
    if (o.defaults !== undefined) {
      const check = await compileSchema<ItemDefaults>(batchDefaultsSchema);
      if (!check(o.defaults)) {
        throw usageError(`${file}: "defaults" is invalid: ${describeErrors(check.errors).join('; ')}`, {
          code: 'BATCH_FILE_INVALID',
        });
      }
      defaults = o.defaults as ItemDefaults;
    }
    list = o.items as unknown[];
  } else {
    throw usageError(`${file}: a JSON batch file is an array of items or an object with an "items" array`, {
      code: 'BATCH_FILE_INVALID',
    });
  }
  const lines = elementLines(text);
  return {
    defaults,
    items: list.map((value, i) => ({ line: lines[i] ?? 1, value, text: shown(value) })),
  };
}

function parseJsonLines(text: string) {
  const items: Array<{ line: number; value: unknown; text: string }> = [];
  const invalid: InvalidItem[] = [];
  text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .forEach((raw, i) => {
      const t = raw.trim();
      if (t === '' || t.startsWith('#') || t.startsWith('//')) return;
      try {
        items.push({ line: i + 1, value: JSON.parse(t), text: raw });
      } catch (error) {
        invalid.push({
          index: 0,
          line: i + 1,
          text: short(raw),
          reason: `not valid JSON: ${(error as Error).message.replace(/,? ".*$/s, '').replace(/ at position.*$/, '')}`,
        });
      }
    });
  return { items, invalid };
}

/** Reads a batch file's text. `file` is used for the format and for messages. */
export async function parseBatchFile(file: string, text: string, format?: BatchFileFormat): Promise<ParsedBatchFile> {
  const fmt = format ?? detectFormat(file, text);
  let raw: Array<{ line: number; value: unknown; text: string }>;
  let invalid: InvalidItem[] = [];
  let defaults: ItemDefaults = {};
  if (fmt === 'text') raw = parseText(text);
  else if (fmt === 'csv') ({ items: raw, invalid } = parseCsvItems(file, text));
  else if (fmt === 'json') ({ items: raw, defaults } = await parseJsonItems(file, text));
  else ({ items: raw, invalid } = parseJsonLines(text));

  const check = await compileSchema<ItemSpec>(batchItemSchema);
  const items: ParsedBatchFile['items'] = [];
  for (const r of raw) {
    const value = typeof r.value === 'string' ? { input: r.value } : r.value;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      invalid.push({
        index: 0,
        line: r.line,
        text: short(r.text),
        reason: 'an item must be an object or an input string',
      });
      continue;
    }
    if (!check(value)) {
      invalid.push({ index: 0, line: r.line, text: short(r.text), reason: describeErrors(check.errors).join('; ') });
      continue;
    }
    const spec = { ...(value as ItemSpec), input: (value as ItemSpec).input.trim() };
    if (spec.input === '') {
      invalid.push({ index: 0, line: r.line, text: short(r.text), reason: '/input: must not be blank' });
      continue;
    }
    items.push({ line: r.line, spec });
  }
  invalid.sort((a, b) => a.line - b.line);
  return { format: fmt, defaults, items, invalid };
}
