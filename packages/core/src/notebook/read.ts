import type { NotebookDocument } from '@kagg/plugin-api';
import { isRecord } from '@kagg/plugin-api/kit';
import { KaggError } from '../errors/index.js';
import type { Cell, CellType, Notebook } from './model.js';

const CELL_TYPES: readonly string[] = ['code', 'markdown', 'raw'];

/** 1-based line and column of a character offset. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lines = before.split('\n');
  return { line: lines.length, column: (lines[lines.length - 1] ?? '').length + 1 };
}

const WHAT_KAGG_TAKES = 'kagg deploys .ipynb notebooks, folders holding one, https URLs of one and Kaggle refs';

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const start = text.replace(/^\uFEFF/, '').trimStart();
    if (!/^[[{]/.test(start)) {
      const shown = start.slice(0, 20).split('\n')[0]!;
      throw new KaggError(
        `${source} is not a notebook: it is not JSON (${start === '' ? 'it is empty' : `it starts with ${JSON.stringify(shown)}`})`,
        { code: 'NOTEBOOK_NOT_JSON', action: `pass a Jupyter notebook: ${WHAT_KAGG_TAKES}`, details: { source } },
      );
    }
    // Node's message quotes the raw text and says "position N" only for some errors: keep the reason,
    // drop the quote, and give a line only when the position is known.
    const message = error instanceof Error ? error.message : String(error);
    const position = /at position (\d+)/.exec(message);
    const truncated = /Unexpected end of JSON input/.test(message);
    const at = position ? Number(position[1]) : truncated ? text.length : undefined;
    const where = at === undefined ? undefined : lineColumn(text, at);
    const reason = truncated
      ? 'it ends in the middle (a truncated download or an interrupted save?)'
      : message
          .replace(/\s*\(line \d+ column \d+\)/, '')
          .replace(/ in JSON at position \d+/, '')
          .replace(/, "[\s\S]*" is not valid JSON$/, '');
    throw new KaggError(
      `${source} is not valid JSON${where ? ` at line ${where.line}:${where.column}` : ''}: ${reason}`,
      {
        code: 'NOTEBOOK_INVALID_JSON',
        action: 'open it in Jupyter and save it again, or fix the JSON by hand',
        details: { source, ...(where ? { line: where.line, column: where.column } : {}) },
        cause: error,
      },
    );
  }
}

function invalid(source: string, what: string): KaggError {
  return new KaggError(`${source} is not a Jupyter notebook: ${what}`, {
    code: 'NOTEBOOK_INVALID',
    action: `check that this is the file you meant (${WHAT_KAGG_TAKES}); a notebook Jupyter saves is valid`,
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
