import type { NotebookDocument } from '@kagg/plugin-api';
import { KaggError } from '../errors/index.js';
import type { Cell, CellType, Notebook } from './model.js';

const CELL_TYPES: readonly string[] = ['code', 'markdown', 'raw'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** 1-based line and column of a character offset. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lines = before.split('\n');
  return { line: lines.length, column: (lines[lines.length - 1] ?? '').length + 1 };
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = /at position (\d+)/.exec(message);
    const where = lineColumn(text, position ? Number(position[1]) : text.length);
    const reason = message.replace(/\s*\(line \d+ column \d+\)/, '').replace(/ in JSON at position \d+/, '');
    throw new KaggError(`${source} is not valid JSON at line ${where.line}:${where.column}: ${reason}`, {
      code: 'NOTEBOOK_INVALID_JSON',
      action: 'open it in Jupyter and save it again, or fix the JSON by hand',
      details: { source, line: where.line, column: where.column },
      cause: error,
    });
  }
}

function invalid(source: string, what: string): KaggError {
  return new KaggError(`${source} is not a Jupyter notebook: ${what}`, {
    code: 'NOTEBOOK_INVALID',
    details: { source, problem: what },
  });
}

function joinSource(value: unknown, source: string, where: string): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((part) => typeof part === 'string')) return value.join('');
  throw invalid(source, `${where}.source must be a string or a list of strings`);
}

/**
 * Check a parsed notebook document (nbformat 4) and normalise its cells. Used by `readNotebook` and
 * again after a transform rewrote the document.
 */
export function notebookFromDocument(value: unknown, source: string): Notebook {
  if (!isRecord(value)) throw invalid(source, 'the top level is not a JSON object');
  const nbformat = value['nbformat'];
  if (nbformat === undefined && Array.isArray(value['worksheets'])) {
    throw unsupported(source, 'an nbformat 3 (or older) notebook with worksheets');
  }
  if (typeof nbformat !== 'number' || !Number.isInteger(nbformat)) {
    throw invalid(source, '"nbformat" is missing or not an integer');
  }
  if (nbformat < 4) throw unsupported(source, `nbformat ${nbformat}`);
  if (nbformat > 4) {
    throw new KaggError(`${source} is nbformat ${nbformat}; kagg reads nbformat 4 notebooks`, {
      code: 'NOTEBOOK_UNSUPPORTED_FORMAT',
      details: { source, nbformat },
    });
  }
  const minor = value['nbformat_minor'] ?? 0;
  if (typeof minor !== 'number' || !Number.isInteger(minor))
    throw invalid(source, '"nbformat_minor" is not an integer');
  const metadata = value['metadata'] ?? {};
  if (!isRecord(metadata)) throw invalid(source, '"metadata" is not an object');
  const rawCells = value['cells'];
  if (!Array.isArray(rawCells)) throw invalid(source, '"cells" is missing or not a list');

  const cells: Cell[] = rawCells.map((raw, index) => {
    const where = `cell ${index}`;
    if (!isRecord(raw)) throw invalid(source, `${where} is not an object`);
    const type = raw['cell_type'];
    if (typeof type !== 'string' || !CELL_TYPES.includes(type)) {
      throw invalid(source, `${where}.cell_type must be "code", "markdown" or "raw" (found ${JSON.stringify(type)})`);
    }
    const cellMetadata = raw['metadata'] ?? {};
    if (!isRecord(cellMetadata)) throw invalid(source, `${where}.metadata is not an object`);
    const tags = cellMetadata['tags'] ?? [];
    if (!Array.isArray(tags)) throw invalid(source, `${where}.metadata.tags is not a list`);
    const outputs = raw['outputs'] ?? [];
    if (!Array.isArray(outputs)) throw invalid(source, `${where}.outputs is not a list`);
    const id = raw['id'];
    if (id !== undefined && typeof id !== 'string') throw invalid(source, `${where}.id is not a string`);
    return {
      index,
      id: id === undefined || id === '' ? `cell-${index}` : id,
      type: type as CellType,
      source: joinSource(raw['source'] ?? '', source, where),
      tags: tags.filter((tag): tag is string => typeof tag === 'string'),
      metadata: cellMetadata,
      outputs,
    };
  });

  const document: NotebookDocument = {
    ...value,
    nbformat,
    nbformat_minor: minor,
    metadata,
    cells: rawCells as Array<Record<string, unknown>>,
  };
  return { source, document, cells };
}

function unsupported(source: string, found: string): KaggError {
  return new KaggError(
    `${source} is ${found}; kagg reads nbformat 4. Upgrade it with \`jupyter nbconvert --to notebook --nbformat 4 --output upgraded.ipynb ${source}\``,
    {
      code: 'NOTEBOOK_UNSUPPORTED_FORMAT',
      action: `jupyter nbconvert --to notebook --nbformat 4 --output upgraded.ipynb ${source}`,
      details: { source, found },
    },
  );
}

/** Parse and check a `.ipynb` file's text. `source` (path or URL) is used in messages. */
export function readNotebook(text: string, source: string): Notebook {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  return notebookFromDocument(parseJson(body, source), source);
}
