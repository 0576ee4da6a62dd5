/**
 * Writes a notebook the way nbformat does (`nbformat.write`): keys sorted, one-space indent, non-ASCII
 * kept, multi-line strings split into lists of lines (cell sources, stream text, text MIME data), and a
 * trailing newline. Writing the same document twice gives the same bytes.
 */
import type { NotebookDocument } from '@kagg/plugin-api';
import { isRecord } from '@kagg/plugin-api/kit';

/** Python's `str.splitlines(True)`: every line keeps its terminator. */
const LINE = /[^\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]*(?:\r\n|[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029])?/g;

export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines: string[] = [];
  LINE.lastIndex = 0;
  for (let m = LINE.exec(text); m !== null && m[0] !== ''; m = LINE.exec(text)) lines.push(m[0]);
  return lines;
}

/** nbformat splits text/*, JavaScript and SVG MIME data into lines; other data stays one string. */
function splitsMime(mime: string): boolean {
  return mime.startsWith('text/') || mime === 'application/javascript' || mime === 'image/svg+xml';
}

function splitBundle(bundle: unknown): void {
  if (!isRecord(bundle)) return;
  for (const [mime, value] of Object.entries(bundle)) {
    if (splitsMime(mime) && typeof value === 'string') bundle[mime] = splitLines(value);
  }
}

const joinIfList = (value: unknown): unknown =>
  Array.isArray(value) && value.every((part) => typeof part === 'string') ? value.join('') : value;

/** Splits multi-line strings into lists in place, as nbformat's `split_lines` does. */
export function splitNotebookLines(document: NotebookDocument): void {
  // nbformat's strip_transient: never written to disk.
  if (isRecord(document.metadata)) {
    for (const key of ['orig_nbformat', 'orig_nbformat_minor', 'signature']) delete document.metadata[key];
  }
  for (const cell of document.cells) {
    if (isRecord(cell['metadata'])) delete cell['metadata']['trusted'];
    if (Array.isArray(cell['outputs'])) {
      for (const output of cell['outputs']) if (isRecord(output)) delete output['transient'];
    }
    const source = joinIfList(cell['source']);
    if (typeof source === 'string') cell['source'] = splitLines(source);
    const attachments = cell['attachments'];
    if (isRecord(attachments)) for (const attachment of Object.values(attachments)) splitBundle(attachment);
    if (cell['cell_type'] !== 'code' || !Array.isArray(cell['outputs'])) continue;
    for (const output of cell['outputs']) {
      if (!isRecord(output)) continue;
      const type = output['output_type'];
      if (type === 'execute_result' || type === 'display_data') {
        const data = output['data'];
        if (isRecord(data)) {
          for (const [mime, value] of Object.entries(data)) {
            if (splitsMime(mime) && Array.isArray(value)) data[mime] = joinIfList(value);
          }
          splitBundle(data);
        }
      } else if (type === 'stream') {
        const text = joinIfList(output['text']);
        if (typeof text === 'string') output['text'] = splitLines(text);
      }
    }
  }
}

const INTEGER_KEY = /^(?:0|[1-9]\d{0,9})$/;

/** A deep copy with keys in code-point order; false when JS key order cannot follow it. */
function sortedCopy(value: unknown, ok: { value: boolean }): unknown {
  if (Array.isArray(value)) return value.map((item) => sortedCopy(item, ok));
  if (!isRecord(value)) return value;
  const keys = Object.keys(value).sort();
  // Integer-like keys always enumerate first in JavaScript, in numeric order.
  if (keys.length > 1 && keys.some((key) => INTEGER_KEY.test(key))) {
    const integers = keys.filter((key) => INTEGER_KEY.test(key));
    const jsOrder = [...integers.sort((a, b) => Number(a) - Number(b)), ...keys.filter((k) => !INTEGER_KEY.test(k))];
    if (jsOrder.some((key, k) => key !== keys[k])) ok.value = false;
  }
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const child = value[key];
    if (child !== undefined) out[key] = sortedCopy(child, ok);
  }
  return out;
}

/** The slow path: a hand-written writer for the rare document whose keys JS cannot order. */
function writeValue(value: unknown, indent: string, out: string[]): void {
  if (Array.isArray(value)) {
    if (value.length === 0) {
      out.push('[]');
      return;
    }
    const inner = `${indent} `;
    out.push('[');
    value.forEach((item, k) => {
      out.push(k === 0 ? `\n${inner}` : `,\n${inner}`);
      writeValue(item === undefined ? null : item, inner, out);
    });
    out.push(`\n${indent}]`);
    return;
  }
  if (isRecord(value)) {
    const keys = Object.keys(value)
      .filter((key) => value[key] !== undefined)
      .sort();
    if (keys.length === 0) {
      out.push('{}');
      return;
    }
    const inner = `${indent} `;
    out.push('{');
    keys.forEach((key, k) => {
      out.push(`${k === 0 ? '\n' : ',\n'}${inner}${JSON.stringify(key)}: `);
      writeValue(value[key], inner, out);
    });
    out.push(`\n${indent}}`);
    return;
  }
  out.push(JSON.stringify(value) ?? 'null');
}

/** The notebook's text as nbformat writes it. Mutates the document's line splitting only. */
export function serializeNotebook(document: NotebookDocument, options: { crlf?: boolean } = {}): string {
  splitNotebookLines(document);
  const ok = { value: true };
  const sorted = sortedCopy(document, ok);
  let text: string;
  if (ok.value) {
    text = `${JSON.stringify(sorted, null, 1)}\n`;
  } else {
    const out: string[] = [];
    writeValue(document, '', out);
    text = `${out.join('')}\n`;
  }
  return options.crlf ? text.replace(/\n/g, '\r\n') : text;
}

/** Whether a notebook file uses CRLF line ends (kept when it is rewritten). */
export function usesCrlf(text: string): boolean {
  const newline = text.indexOf('\n');
  return newline > 0 && text[newline - 1] === '\r';
}
