import type { NotebookParameter } from '@kagg/plugin-api';
import { logicalLines } from './python-scan.js';

const ASSIGNMENT = /^([A-Za-z_]\w*)[ \t]*(?::[ \t]*([^=\n]+?))?[ \t]*=(?!=)[ \t]*/;
const KNOWN_TYPES = new Set(['int', 'float', 'str', 'bool', 'list', 'dict']);

/**
 * The Python type name of a literal's source text: int, float, str, bool, list, dict, NoneType, or
 * 'any' when the text is not a literal of one of those types.
 */
export function literalType(text: string, code?: string): string {
  const value = text.trim();
  const masked = (
    code ??
    logicalLines(text)
      .map((logical) => logical.code)
      .join('\n')
  ).trim();
  if (enclosedBy(masked, '(', ')') && !hasTopLevel(masked.slice(1, -1), ',')) {
    // A parenthesised expression (not a tuple): the type of what is inside.
    const inner = literalType(value.slice(1, -1), masked.slice(1, -1));
    return inner;
  }
  if (/^[+-]?(?:\d[\d_]*|0[xX][\da-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+)$/.test(value)) return 'int';
  if (/^[+-]?(?:\d[\d_]*\.[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d+)?$|^[+-]?\d[\d_]*[eE][+-]?\d+$/.test(value)) return 'float';
  if (value === 'True' || value === 'False') return 'bool';
  if (value === 'None') return 'NoneType';
  // One or more adjacent string literals (strings are blanked in `code`, quotes kept).
  if (/^(?:(?:[rRuUfF]|[fF][rR]|[rR][fF])?("""|'''|"|')[ ]*\1\s*)+$/.test(masked)) return 'str';
  if (enclosedBy(masked, '[', ']')) return 'list';
  if (enclosedBy(masked, '{', '}')) {
    if (/^\{\s*\}$/.test(masked) || hasTopLevel(masked.slice(1, -1), ':')) return 'dict';
  }
  return 'any';
}

/** The text starts with `open` whose matching bracket is the last character. */
function enclosedBy(code: string, open: string, close: string): boolean {
  if (!code.startsWith(open) || !code.endsWith(close)) return false;
  let depth = 0;
  for (let i = 0; i < code.length; i++) {
    const ch = code[i]!;
    if ('([{'.includes(ch)) depth++;
    else if (')]}'.includes(ch)) {
      depth--;
      if (depth === 0 && i < code.length - 1) return false;
    }
  }
  return depth === 0;
}

/** `needle` appears outside nested brackets (and outside lambdas' colons, roughly). */
function hasTopLevel(code: string, needle: string): boolean {
  let depth = 0;
  for (const ch of code) {
    if ('([{'.includes(ch)) depth++;
    else if (')]}'.includes(ch)) depth--;
    else if (depth === 0 && ch === needle) return true;
  }
  return false;
}

/**
 * The parameters of a `parameters` cell: its top-level `name = value` and `name: type = value`
 * assignments, in order of first appearance (a later assignment of the same name replaces the default).
 */
export function parseParameters(cellText: string): NotebookParameter[] {
  const found = new Map<string, NotebookParameter>();
  for (const logical of logicalLines(cellText)) {
    const match = ASSIGNMENT.exec(logical.code);
    if (!match || /^\s/.test(logical.code)) continue;
    const valueCode = logical.code.slice(match[0].length).trimEnd();
    if (valueCode === '' || /^=/.test(valueCode)) continue;
    const valueText = logical.text.slice(match[0].length, match[0].length + valueCode.length).trim();
    const annotation = match[2]?.trim();
    let type = literalType(valueText, valueCode);
    if (type === 'any' && annotation !== undefined && KNOWN_TYPES.has(annotation)) type = annotation;
    found.set(match[1]!, { name: match[1]!, type, default: valueText });
  }
  return [...found.values()];
}
