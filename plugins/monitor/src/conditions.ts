/**
 * Gatus-style conditions: one comparison per condition, all conditions must hold.
 *
 *   [STATUS] == 200        [RESPONSE_TIME] < 500       [COLD] == false
 *   [BODY].prediction.label == setosa                   [BODY].scores[0] >= 0.5
 *   [HEADER].content-type == application/json           len([BODY].items) > 0
 *   has([BODY].error) == false
 *
 * A tokenizer and a small recursive-descent parser turn the text into an AST once (so a typo fails
 * before the first probe, with the column of the problem), then each probe evaluates it.
 */
import { usageError } from '@kagg/core/errors';

export type Operator = '==' | '!=' | '<' | '<=' | '>' | '>=';
const OPERATORS: Operator[] = ['==', '!=', '<=', '>=', '<', '>'];
const PLACEHOLDERS = ['STATUS', 'RESPONSE_TIME', 'BODY', 'HEADER', 'COLD'] as const;
type Placeholder = (typeof PLACEHOLDERS)[number];
const FUNCTIONS = ['len', 'has'] as const;
type FunctionName = (typeof FUNCTIONS)[number];

type PathStep = string | number;
export type Operand =
  | { kind: 'placeholder'; name: Placeholder; path: PathStep[]; text: string }
  | { kind: 'call'; fn: FunctionName; arg: Operand; text: string }
  | { kind: 'literal'; value: string | number | boolean | null; text: string };

export interface Condition {
  text: string;
  left: Operand;
  op: Operator;
  right: Operand;
}

/** What a condition is evaluated against: one probe's answer. */
export interface ConditionInput {
  status: number | null;
  responseTimeMs: number;
  body: unknown;
  headers: Record<string, string>;
  cold: boolean | null;
}

export interface ConditionResult {
  expr: string;
  ok: boolean;
  /** The comparison with the placeholders replaced by what the probe saw, e.g. `503 == 200`. */
  resolved: string;
}

type Token =
  | { t: 'placeholder'; name: string; at: number }
  | { t: 'path'; step: PathStep; at: number }
  | { t: 'op'; op: Operator; at: number }
  | { t: 'lparen' | 'rparen'; at: number }
  | { t: 'string'; value: string; at: number }
  | { t: 'word'; value: string; at: number };

function fail(text: string, at: number, why: string): never {
  throw usageError(`condition "${text}": ${why} at column ${at + 1}`, {
    code: 'CONDITION_INVALID',
    action:
      'a condition is OPERAND OPERATOR OPERAND, e.g. "[STATUS] == 200", "[RESPONSE_TIME] < 500", "[BODY].label == setosa"; operators: == != < <= > >=; placeholders: [STATUS] [RESPONSE_TIME] [BODY].path [HEADER].name [COLD]; functions: len() has()',
  });
}

const WORD = /[^\s()[\]=!<>"']/;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let afterOperand = false; // a `.x` or `[n]` right after a placeholder or path step is a path
  while (i < text.length) {
    const c = text[i] as string;
    if (/\s/.test(c)) {
      i++;
      afterOperand = false;
      continue;
    }
    const at = i;
    if (afterOperand && c === '.') {
      const m = /\.([^\s.[\]()=!<>]+)/y;
      m.lastIndex = i;
      const found = m.exec(text);
      if (!found) fail(text, at, 'a path step needs a name after "."');
      tokens.push({ t: 'path', step: found[1] as string, at });
      i = m.lastIndex;
      continue;
    }
    if (afterOperand && c === '[') {
      const m = /\[(\d+)\]/y;
      m.lastIndex = i;
      const found = m.exec(text);
      if (!found) fail(text, at, 'an index is a whole number in brackets, e.g. [0],');
      tokens.push({ t: 'path', step: Number(found[1]), at });
      i = m.lastIndex;
      continue;
    }
    if (c === '[') {
      const close = text.indexOf(']', i);
      if (close < 0) fail(text, at, 'unclosed "["');
      tokens.push({ t: 'placeholder', name: text.slice(i + 1, close), at });
      i = close + 1;
      afterOperand = true;
      continue;
    }
    afterOperand = false;
    const op = OPERATORS.find((o) => text.startsWith(o, i));
    if (op) {
      tokens.push({ t: 'op', op, at });
      i += op.length;
      continue;
    }
    if (c === '=' || c === '!') fail(text, at, `unknown operator "${c}"; use one of ${OPERATORS.join(' ')}`);
    if (c === '(' || c === ')') {
      tokens.push({ t: c === '(' ? 'lparen' : 'rparen', at });
      i++;
      afterOperand = c === ')';
      continue;
    }
    if (c === '"' || c === "'") {
      const close = text.indexOf(c, i + 1);
      if (close < 0) fail(text, at, `unclosed quote ${c}`);
      tokens.push({ t: 'string', value: text.slice(i + 1, close), at });
      i = close + 1;
      continue;
    }
    let j = i;
    while (j < text.length && WORD.test(text[j] as string)) j++;
    if (j === i) fail(text, at, `unexpected "${c}"`);
    tokens.push({ t: 'word', value: text.slice(i, j), at });
    i = j;
  }
  return tokens;
}

function literalOf(word: string): string | number | boolean | null {
  if (word === 'true') return true;
  if (word === 'false') return false;
  if (word === 'null') return null;
  if (/^-?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i.test(word)) return Number(word);
  return word;
}

/** Parses one condition; throws a usage error naming the condition and the column of the problem. */
export function parseCondition(text: string): Condition {
  const tokens = tokenize(text);
  let pos = 0;
  const peek = () => tokens[pos];
  const end = text.length;

  const operand = (): Operand => {
    const tok = tokens[pos++];
    if (!tok) fail(text, end, 'an operand is missing');
    if (tok.t === 'placeholder') {
      const name = tok.name.toUpperCase();
      if (!(PLACEHOLDERS as readonly string[]).includes(name)) {
        fail(text, tok.at, `unknown placeholder [${tok.name}]; known: ${PLACEHOLDERS.map((p) => `[${p}]`).join(' ')}`);
      }
      const path: PathStep[] = [];
      while (peek()?.t === 'path') path.push((tokens[pos++] as { step: PathStep }).step);
      if (name === 'HEADER' && (path.length !== 1 || typeof path[0] !== 'string')) {
        fail(text, tok.at, '[HEADER] needs one header name, e.g. [HEADER].content-type,');
      }
      if (name !== 'BODY' && name !== 'HEADER' && path.length > 0) fail(text, tok.at, `[${name}] takes no path`);
      const last = tokens[pos - 1] as Token;
      return { kind: 'placeholder', name: name as Placeholder, path, text: text.slice(tok.at, spanEnd(last)) };
    }
    if (tok.t === 'word' && peek()?.t === 'lparen') {
      if (!(FUNCTIONS as readonly string[]).includes(tok.value)) {
        fail(text, tok.at, `unknown function ${tok.value}(); known: ${FUNCTIONS.map((f) => `${f}()`).join(' ')}`);
      }
      pos++;
      const arg = operand();
      const close = tokens[pos++];
      if (close?.t !== 'rparen') fail(text, close?.at ?? end, `${tok.value}( is not closed`);
      return { kind: 'call', fn: tok.value as FunctionName, arg, text: text.slice(tok.at, close.at + 1) };
    }
    if (tok.t === 'word') return { kind: 'literal', value: literalOf(tok.value), text: tok.value };
    if (tok.t === 'string') return { kind: 'literal', value: tok.value, text: JSON.stringify(tok.value) };
    return fail(text, tok.at, tok.t === 'op' ? `operator ${tok.op} needs an operand before it` : 'unexpected token');
  };

  const left = operand();
  const opTok = tokens[pos++];
  if (!opTok) fail(text, end, `an operator is missing; use one of ${OPERATORS.join(' ')}`);
  if (opTok.t !== 'op') fail(text, opTok.at, `expected an operator (${OPERATORS.join(' ')})`);
  const right = operand();
  const extra = tokens[pos];
  if (extra) fail(text, extra.at, 'one comparison per condition (give several --condition flags); unexpected text');
  if (left.kind === 'literal' && right.kind === 'literal') {
    fail(text, 0, 'a condition must use a placeholder such as [STATUS]');
  }
  return { text, left, op: opTok.op, right };
}

function spanEnd(tok: Token): number {
  // the end of a placeholder or path token: the next character after its text
  return tok.at + (tok.t === 'placeholder' ? tok.name.length + 2 : tok.t === 'path' ? pathLength(tok.step) : 1);
}
function pathLength(step: PathStep): number {
  return typeof step === 'number' ? String(step).length + 2 : step.length + 1;
}

const MISSING = Symbol('missing');
type Value = string | number | boolean | null | object | typeof MISSING;

function walk(value: unknown, path: PathStep[]): Value {
  let v: unknown = value;
  for (const step of path) {
    if (v === null || typeof v !== 'object') return MISSING;
    const next = (v as Record<string | number, unknown>)[step];
    if (next === undefined) return MISSING;
    v = next;
  }
  return v as Value;
}

function operandValue(o: Operand, input: ConditionInput): Value {
  switch (o.kind) {
    case 'literal':
      return o.value;
    case 'call': {
      const v = operandValue(o.arg, input);
      if (o.fn === 'has') return v !== MISSING;
      if (v === MISSING || v === null) return MISSING;
      if (typeof v === 'string' || Array.isArray(v)) return v.length;
      if (typeof v === 'object') return Object.keys(v).length;
      return String(v).length;
    }
    case 'placeholder':
      switch (o.name) {
        case 'STATUS':
          return input.status ?? MISSING;
        case 'RESPONSE_TIME':
          return Math.round(input.responseTimeMs * 1000) / 1000;
        case 'COLD':
          return input.cold;
        case 'HEADER':
          return input.headers[String(o.path[0]).toLowerCase()] ?? MISSING;
        case 'BODY':
          return walk(input.body, o.path);
      }
  }
}

function show(v: Value): string {
  if (v === MISSING) return '(missing)';
  if (typeof v === 'object' && v !== null) return JSON.stringify(v).slice(0, 80);
  return String(v);
}

function compare(a: Value, op: Operator, b: Value): boolean {
  if (a === MISSING || b === MISSING) return false;
  const na = typeof a === 'number' ? a : typeof a === 'string' && a.trim() !== '' ? Number(a) : Number.NaN;
  const nb = typeof b === 'number' ? b : typeof b === 'string' && b.trim() !== '' ? Number(b) : Number.NaN;
  const numeric = !Number.isNaN(na) && !Number.isNaN(nb);
  if (op === '==' || op === '!=') {
    const same = numeric ? na === nb : show(a) === show(b);
    return op === '==' ? same : !same;
  }
  if (!numeric) return false;
  switch (op) {
    case '<':
      return na < nb;
    case '<=':
      return na <= nb;
    case '>':
      return na > nb;
    default:
      return na >= nb;
  }
}

export function evaluate(condition: Condition, input: ConditionInput): ConditionResult {
  const a = operandValue(condition.left, input);
  const b = operandValue(condition.right, input);
  return { expr: condition.text, ok: compare(a, condition.op, b), resolved: `${show(a)} ${condition.op} ${show(b)}` };
}

/** Without --condition, a probe passes when the endpoint answered below 400. */
export const DEFAULT_CONDITIONS = ['[STATUS] < 400'];
