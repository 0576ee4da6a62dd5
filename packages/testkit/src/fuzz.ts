/**
 * A seeded mutational fuzzer for kagg's text parsers (the notebook reader, the batch-file parser).
 * From a few valid seed inputs it makes mutants: byte edits, truncations, JSON tokens spliced in,
 * structural edits of the parsed JSON (a value swapped for one of another type, a key dropped, a
 * deeply nested value), invalid UTF-8 decoded as kagg decodes files, lone surrogates. The same seed
 * gives the same cases, so a failure is reproduced by its seed and case number.
 */

/** mulberry32: a small, fast, seedable PRNG; returns floats in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Random = () => number;
const int = (random: Random, n: number): number => Math.floor(random() * n);
const pick = <T>(random: Random, items: readonly T[]): T => items[int(random, items.length)]!;

/** Fragments that tend to reach a parser's rarer branches. */
const TOKENS = [
  '{',
  '}',
  '[',
  ']',
  '"',
  ',',
  ':',
  'null',
  'true',
  '1e999',
  '-0',
  '"\\ud800"',
  '"\\u0000"',
  '\\',
  '\n',
  '\r\n',
  '\uFEFF',
  '#',
  ' # ',
  '\t',
  '"nbformat": 3',
  '"nbformat": 5',
  '"nbformat": "4"',
  '"cells": {}',
  '"source": 5',
  '"cell_type": "x"',
  '"worksheets": []',
  '"input": ""',
  '"input": "../../etc/passwd"',
  '"defaults": []',
  '"items": null',
  '"set": {"a": {"b": 1}}',
  '"env": ["x"]',
  '"memory": -1',
  '"timeout": "1h"',
  'input,name\n',
  '"a""b"',
  '$(touch /tmp/x)',
  '`id`',
  '; rm -rf ~',
  '\u0000',
  '\uD800',
  '\uFFFD',
  'é',
  '🙂',
] as const;

/** Values of every JSON type, some odd, to put in place of a value. */
function oddValue(random: Random): unknown {
  switch (int(random, 12)) {
    case 0:
      return null;
    case 1:
      return int(random, 2) === 0;
    case 2:
      return pick(random, [0, -1, 1.5, 1e308, -1e-308, Number.MAX_SAFE_INTEGER + 2]);
    case 3:
      return pick(random, ['', ' ', '\u0000', '\ud800', '../x', '/etc/passwd', 'a'.repeat(10_000)]);
    case 4:
      return [];
    case 5:
      return {};
    case 6:
      return [pick(random, [1, 'x', null, {}])];
    case 7:
      return { [pick(random, ['__proto__', 'constructor', 'toString', ''])]: 1 };
    case 8:
      return nested(1 + int(random, 5_000));
    default:
      return pick(random, TOKENS);
  }
}

/** `depth` levels of arrays and objects around a 1. */
export function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { k: value };
  return value;
}

/** Every container in `root` (objects and arrays), at most 2,000. */
function containers(root: unknown): Array<Record<string, unknown> | unknown[]> {
  const out: Array<Record<string, unknown> | unknown[]> = [];
  const stack: unknown[] = [root];
  while (stack.length > 0 && out.length < 2_000) {
    const value = stack.pop();
    if (typeof value === 'object' && value !== null) {
      out.push(value as Record<string, unknown>);
      for (const child of Object.values(value)) stack.push(child);
    }
  }
  return out;
}

function structural(text: string, random: Random): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const all = containers(value);
  if (all.length === 0) return JSON.stringify(oddValue(random));
  const target = pick(random, all);
  const keys = Object.keys(target);
  const key = keys.length > 0 ? pick(random, keys) : '0';
  const kind = int(random, 4);
  if (kind === 0 && keys.length > 0) {
    if (Array.isArray(target)) target.splice(Number(key), 1);
    else delete target[key];
  } else if (kind === 1 && Array.isArray(target) && target.length > 0) {
    target.push(...target.slice(0, 1 + int(random, target.length)));
  } else {
    (target as Record<string, unknown>)[key] = oddValue(random);
  }
  try {
    return JSON.stringify(value, null, int(random, 2) === 0 ? 1 : undefined);
  } catch {
    return undefined; // nested past what JSON.stringify can recurse: keep the text as it was
  }
}

/** Bytes that are not valid UTF-8, decoded the way `readFileSync(file, 'utf8')` decodes them. */
function invalidUtf8(text: string, random: Random): string {
  const bytes = Buffer.from(text, 'utf8');
  const at = int(random, bytes.length + 1);
  const bad = Buffer.from(pick(random, [[0xff], [0xc3], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80]]));
  return Buffer.concat([bytes.subarray(0, at), bad, bytes.subarray(at)]).toString('utf8');
}

const MAX_MUTANT = 1 << 20;

/** One mutant of `text`: one to four mutations stacked. */
export function mutate(text: string, random: Random): string {
  let out = text;
  const rounds = 1 + int(random, 4);
  for (let round = 0; round < rounds; round++) {
    const at = int(random, out.length + 1);
    switch (int(random, 9)) {
      case 0: // truncate
        out = out.slice(0, at);
        break;
      case 1: {
        // delete a slice
        out = out.slice(0, at) + out.slice(at + 1 + int(random, 64));
        break;
      }
      case 2: {
        // duplicate a slice
        const end = at + 1 + int(random, 256);
        out = out.slice(0, end) + out.slice(at, end) + out.slice(end);
        break;
      }
      case 3: // replace one character
        out = out.slice(0, at) + String.fromCharCode(int(random, 0x3000)) + out.slice(at + 1);
        break;
      case 4: // splice a token in
        out = out.slice(0, at) + pick(random, TOKENS) + out.slice(at);
        break;
      case 5:
        out = invalidUtf8(out, random);
        break;
      case 6: {
        // deep brackets, unbalanced or not
        const depth = 1 + int(random, 100_000);
        const open = pick(random, ['[', '{"a":']);
        const close = open === '[' ? ']' : '}';
        out = open.repeat(depth) + out + (int(random, 2) === 0 ? close.repeat(depth) : '');
        break;
      }
      default:
        out = structural(out, random) ?? out;
    }
    // stacked duplications grow without bound: keep mutants under 1 MiB (a large input is its own test)
    if (out.length > MAX_MUTANT) out = out.slice(0, MAX_MUTANT);
  }
  return out;
}

export interface FuzzFailure {
  seed: number;
  index: number;
  input: string;
  error: unknown;
}

export interface FuzzResult {
  cases: number;
  /** Cases that parsed into a result. */
  accepted: number;
  /** Cases refused with kagg's own error. */
  refused: number;
  /** Cases that threw anything else: each a bug. */
  failures: FuzzFailure[];
}

/**
 * Runs `cases` mutants of `seeds` (case i mutates seed i mod n) through `parse`. A case passes when
 * `parse` returns or throws an error `isExpected` accepts; anything else is recorded as a failure.
 */
export async function fuzz(options: {
  seeds: readonly string[];
  cases: number;
  seed: number;
  parse: (text: string) => unknown;
  isExpected: (error: unknown) => boolean;
}): Promise<FuzzResult> {
  const random = prng(options.seed);
  const result: FuzzResult = { cases: 0, accepted: 0, refused: 0, failures: [] };
  for (let index = 0; index < options.cases; index++) {
    const input = mutate(options.seeds[index % options.seeds.length]!, random);
    result.cases++;
    try {
      await options.parse(input);
      result.accepted++;
    } catch (error) {
      if (options.isExpected(error)) result.refused++;
      else result.failures.push({ seed: options.seed, index, input, error });
    }
  }
  return result;
}
