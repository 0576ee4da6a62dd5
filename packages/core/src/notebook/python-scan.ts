/**
 * Just enough of Python's tokenizer to follow string literals, brackets, comments and `\` continuations
 * line by line, without a parser. Used by the IPython classifier and the converter.
 */

export interface ScanState {
  /** Open string quote ('"', "'", '"""', "'''"), or undefined. */
  quote: string | undefined;
  /** Open brackets. */
  depth: number;
  /** The physical line ended with a `\` outside a string. */
  backslash: boolean;
  /** Last code character (outside strings and comments) seen so far. */
  lastCode: string;
}

export function newScanState(): ScanState {
  return { quote: undefined, depth: 0, backslash: false, lastCode: '' };
}

/** True when the next line starts a new logical line. */
export function atLogicalStart(state: ScanState): boolean {
  return state.quote === undefined && state.depth === 0 && !state.backslash;
}

/**
 * Scan one physical line, updating `state`. Returns the line with string contents and comments replaced
 * by spaces (quotes and code kept), the same length as the input.
 */
export function scanPythonLine(text: string, state: ScanState): string {
  state.backslash = false;
  const masked = text.split('');
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (state.quote !== undefined) {
      if (ch === '\\') {
        masked[i] = ' ';
        if (i + 1 < text.length) masked[i + 1] = ' ';
        i += 2;
        continue;
      }
      if (text.startsWith(state.quote, i)) {
        i += state.quote.length;
        state.quote = undefined;
        state.lastCode = '"';
        continue;
      }
      masked[i] = ' ';
      i++;
      continue;
    }
    if (ch === '#') {
      for (let k = i; k < text.length; k++) masked[k] = ' ';
      break;
    }
    if (ch === '"' || ch === "'") {
      const triple = ch.repeat(3);
      state.quote = text.startsWith(triple, i) ? triple : ch;
      i += state.quote.length;
      continue;
    }
    if (ch === '\\' && /^\\\s*$/.test(text.slice(i))) {
      state.backslash = true;
      break;
    }
    if (ch === '(' || ch === '[' || ch === '{') state.depth++;
    else if (ch === ')' || ch === ']' || ch === '}') state.depth = Math.max(0, state.depth - 1);
    if (!/\s/.test(ch)) state.lastCode = ch;
    i++;
  }
  // A single-quoted string ends with its line unless the line ends with `\` (else it is a syntax
  // error Python will report).
  if ((state.quote === '"' || state.quote === "'") && !/\\$/.test(text)) state.quote = undefined;
  return masked.join('');
}

export interface LogicalLine {
  /** 0-based index of the first physical line. */
  start: number;
  /** 0-based index one past the last physical line. */
  end: number;
  /** The physical lines joined with '\n'. */
  text: string;
  /** The same, strings and comments blanked. */
  code: string;
}

/** Group a block of Python source into logical lines (brackets, strings and `\` continuations followed). */
export function logicalLines(source: string): LogicalLine[] {
  const lines = source.split(/\r\n|\r|\n/);
  const state = newScanState();
  const out: LogicalLine[] = [];
  let i = 0;
  while (i < lines.length) {
    const start = i;
    const texts: string[] = [];
    const codes: string[] = [];
    do {
      texts.push(lines[i]!);
      codes.push(scanPythonLine(lines[i]!, state));
      i++;
    } while (i < lines.length && !atLogicalStart(state));
    out.push({ start, end: i, text: texts.join('\n'), code: codes.join('\n') });
  }
  return out;
}
