/**
 * The walk over a decoded notebook that yields every text a secret can sit in: cell sources (magics,
 * shell lines and `%%writefile` bodies included), text outputs (stream, text/plain, text/html,
 * markdown, JSON, error value and traceback) and notebook and cell metadata. Images, PDFs and other
 * binary MIME bundles, and markdown attachments, are skipped.
 */
import type { NotebookDocument } from '@kagg/plugin-api';
import { isRecord } from '@kagg/plugin-api/kit';
import type { FindingLocation } from './types.js';

export interface WidgetPassword {
  line: number;
  value: string;
}

export interface TextSegment {
  /** Cell index, or -1 for notebook metadata. */
  cell: number;
  location: FindingLocation;
  /** Where in the cell or notebook the text comes from (`source`, `outputs[1].text`, `metadata`). */
  path: string;
  text: string;
  /** For metadata: the dotted path of the value on each line (index = line - 1). */
  linePaths?: string[];
  /** For metadata: values of password-type widgets (always secrets), with their 1-based line. */
  passwords?: WidgetPassword[];
}

const ANSI = /\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07/g;

export function joinText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.filter((part) => typeof part === 'string').join('');
  return '';
}

/** MIME types whose data is text worth scanning (binary bundles are base64 and skipped). */
export function isScannableMime(mime: string): boolean {
  if (mime.startsWith('image/') || mime.startsWith('audio/') || mime.startsWith('video/')) return false;
  if (mime === 'application/pdf' || mime.startsWith('application/vnd.jupyter.widget-view')) return false;
  return (
    mime.startsWith('text/') ||
    mime === 'application/json' ||
    mime.endsWith('+json') ||
    mime === 'application/javascript' ||
    mime === 'application/x-latex'
  );
}

function quoteValue(value: string): string {
  if (!value.includes('"')) return `"${value}"`;
  if (!value.includes("'")) return `'${value}'`;
  return value;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * A widget model whose value is a password: `PasswordModel` (ipywidgets), any model named for
 * passwords (panel's `PasswordInputModel`), or a text field of `type: "password"` (ipyvuetify).
 */
function isPasswordWidget(model: string, state: Record<string, unknown>): boolean {
  return /password/i.test(model) || state['type'] === 'password' || state['password'] === true;
}

/**
 * Metadata as `path = "value"` lines, one string leaf each (decoded, so the rules see real quotes).
 * A password-type widget's value is one `widget_password` line (listed in `passwords`); a text
 * widget's value gets a second line named after its label, so the credential rules see the name.
 */
/** Deeper metadata is refused: no notebook tool writes it, and walking it could overflow the stack. */
const MAX_METADATA_DEPTH = 500;

export function flattenMetadata(
  root: unknown,
  prefix: string,
): { text: string; linePaths: string[]; passwords: WidgetPassword[] } {
  const lines: string[] = [];
  const linePaths: string[] = [];
  const passwords: WidgetPassword[] = [];
  const push = (path: string, name: string, value: string): void => {
    const line = `${name} = ${quoteValue(value)}`;
    const count = line.split('\n').length;
    lines.push(line);
    for (let k = 0; k < count; k++) linePaths.push(path);
  };
  // Widget state saves `{ model_name, state: {...} }`; the inner state may omit `_model_name`.
  let outerModel: string | undefined;
  const walk = (value: unknown, path: string, depth = 0): void => {
    if (depth > MAX_METADATA_DEPTH) {
      // past this the walk would overflow the stack; a part left unscanned must not pass as clean
      throw new Error(
        `${prefix || 'the notebook metadata'} is nested more than ${MAX_METADATA_DEPTH} levels deep, too deep for the secret scan to read: flatten or remove that metadata`,
      );
    }
    if (typeof value === 'string') {
      if (value !== '') push(path, path, value);
      return;
    }
    if (Array.isArray(value)) {
      value.forEach((item, k) => {
        walk(item, `${path}[${k}]`, depth + 1);
      });
      return;
    }
    if (!isRecord(value)) return;
    const model = typeof value['_model_name'] === 'string' ? value['_model_name'] : outerModel;
    const widgetValue = value['value'];
    let password = false;
    if (model !== undefined && typeof widgetValue === 'string' && widgetValue !== '') {
      password = isPasswordWidget(model, value);
      if (password) {
        passwords.push({ line: linePaths.length + 1, value: widgetValue });
        push(`${path}.value`, 'widget_password', widgetValue);
      } else {
        const label = value['description'];
        if (typeof label === 'string' && label !== '') {
          push(`${path}.value`, label.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, ''), widgetValue);
        }
      }
    }
    for (const [key, child] of Object.entries(value)) {
      if (password && key === 'value') continue;
      const saved = outerModel;
      outerModel = key === 'state' && typeof value['model_name'] === 'string' ? value['model_name'] : undefined;
      walk(
        child,
        path === '' ? key : IDENT.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`,
        depth + 1,
      );
      outerModel = saved;
    }
  };
  walk(root, prefix);
  return { text: lines.join('\n'), linePaths, passwords };
}

function* outputSegments(cell: number, outputs: unknown[]): Generator<TextSegment> {
  for (let k = 0; k < outputs.length; k++) {
    const output = outputs[k];
    if (!isRecord(output)) continue;
    const type = output['output_type'];
    const at = `outputs[${k}]`;
    if (type === 'stream') {
      const text = joinText(output['text']);
      if (text !== '') yield { cell, location: 'output', path: `${at}.text`, text };
    } else if (type === 'execute_result' || type === 'display_data' || type === 'update_display_data') {
      const data = output['data'];
      if (!isRecord(data)) continue;
      for (const [mime, value] of Object.entries(data)) {
        if (!isScannableMime(mime)) continue;
        const text =
          typeof value === 'string' || Array.isArray(value) ? joinText(value) : JSON.stringify(value, null, 1);
        if (text) yield { cell, location: 'output', path: `${at}.data[${JSON.stringify(mime)}]`, text };
      }
    } else if (type === 'error') {
      const head = `${typeof output['ename'] === 'string' ? output['ename'] : ''}: ${typeof output['evalue'] === 'string' ? output['evalue'] : ''}`;
      yield { cell, location: 'output', path: `${at}.evalue`, text: head };
      const traceback = Array.isArray(output['traceback']) ? output['traceback'] : [];
      const text = traceback
        .filter((line): line is string => typeof line === 'string')
        .join('\n')
        .replace(ANSI, '');
      if (text !== '') yield { cell, location: 'output', path: `${at}.traceback`, text };
    }
  }
}

/** Every scannable text of a notebook, in document order. */
export function* notebookSegments(document: NotebookDocument): Generator<TextSegment> {
  if (isRecord(document.metadata) && Object.keys(document.metadata).length > 0) {
    const flat = flattenMetadata(document.metadata, 'metadata');
    if (flat.text !== '') yield { cell: -1, location: 'metadata', path: 'metadata', ...flat };
  }
  const cells = Array.isArray(document.cells) ? document.cells : [];
  for (let index = 0; index < cells.length; index++) {
    const cell = cells[index];
    if (!isRecord(cell)) continue;
    const source = joinText(cell['source']);
    if (source !== '') yield { cell: index, location: 'code', path: 'source', text: source };
    const metadata = cell['metadata'];
    if (isRecord(metadata) && Object.keys(metadata).length > 0) {
      const flat = flattenMetadata(metadata, 'metadata');
      if (flat.text !== '') yield { cell: index, location: 'metadata', path: 'metadata', ...flat };
    }
    if (cell['cell_type'] === 'code' && Array.isArray(cell['outputs'])) yield* outputSegments(index, cell['outputs']);
  }
}
