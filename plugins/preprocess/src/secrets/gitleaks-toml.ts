/**
 * Loads a gitleaks TOML configuration into kagg rules. Go's RE2 syntax is translated where JavaScript
 * can express it: a leading `(?i)`/`(?s)`/`(?m)` becomes a flag, a later `(?i)` a modifier group
 * `(?i:...)`, `(?P<name>` a named group, `\A`/`\z` anchors, POSIX classes, `\Q...\E` literals.
 * Rules that still do not compile, and path-only rules (kagg scans notebooks, not paths), are listed
 * as unsupported rather than dropped silently. `[extend] useDefault` layers the file on kagg's rules.
 * Allowlists are honoured as gitleaks does: a rule's own (`[[rules.allowlists]]`), and the global
 * `[allowlist]`/`[[allowlists]]` (optionally limited by `targetRules`) on every rule, kagg's included.
 */

import { usageError } from '@kagg/core/errors';
import { isRecord } from '@kagg/plugin-api/kit';
import { parse } from 'smol-toml';
import { DEFAULT_RULES } from './rules.js';
import type { RegexTarget, RuleAllowlist, SecretRule } from './types.js';

export interface UnsupportedRule {
  id: string;
  reason: string;
}

export interface LoadedRules {
  rules: SecretRule[];
  unsupported: UnsupportedRule[];
  /** Notes about parts of the file kagg does not apply (path and commit allowlists). */
  notes: string[];
}

const POSIX_CLASSES: Record<string, string> = {
  alnum: 'A-Za-z0-9',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: ' \\t',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\s',
  upper: 'A-Z',
  word: '\\w',
  xdigit: '0-9A-Fa-f',
};

/** Wraps everything after a mid-pattern `(?flags)` at paren depth 0 into a modifier group. */
function inlineFlagsToGroups(source: string): string {
  let out = '';
  let depth = 0;
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const ch = source[i]!;
    if (ch === '\\') {
      out += source.slice(i, i + 2);
      i++;
      continue;
    }
    if (inClass) {
      if (ch === ']') inClass = false;
      out += ch;
      continue;
    }
    if (ch === '[') {
      inClass = true;
      out += ch;
      continue;
    }
    const flags = /^\(\?([imsU-]+)\)/.exec(source.slice(i));
    if (flags) {
      const jsFlags = flags[1]!.replace(/[^ims-]/g, '');
      // The rest of the enclosing group (or pattern) is governed by the flags.
      let end = i + flags[0].length;
      let level = 0;
      let klass = false;
      for (; end < source.length; end++) {
        const c = source[end]!;
        if (c === '\\') {
          end++;
          continue;
        }
        if (klass) {
          if (c === ']') klass = false;
          continue;
        }
        if (c === '[') klass = true;
        else if (c === '(') level++;
        else if (c === ')') {
          if (level === 0) break;
          level--;
        }
      }
      const rest = source.slice(i + flags[0].length, end);
      out += jsFlags.replace(/-/g, '') === '' ? rest : `(?${jsFlags}:${inlineFlagsToGroups(rest)})`;
      i = end - 1;
      void depth;
      continue;
    }
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    out += ch;
  }
  return out;
}

/** Translates a Go RE2 pattern to a JavaScript RegExp. Throws with the reason when it cannot. */
export function translateGoRegex(pattern: string): RegExp {
  let source = pattern;
  let flags = 'gd';
  if (/\(\?[imsU-]*U[imsU-]*[):]/.test(source)) throw new Error('the ungreedy flag (?U) has no JavaScript equivalent');
  if (/\\C/.test(source)) {
    throw new Error('\\C (any byte) has no JavaScript equivalent');
  }
  source = source.replace(/\\x\{([0-9A-Fa-f]{1,6})\}/g, (_m, hex: string) => `\\u{${hex}}`);
  if (/\\u\{/.test(source)) flags += 'u';
  const lead = /^\(\?([imsU]+)\)/.exec(source);
  if (lead) {
    for (const flag of lead[1]!) if ('ims'.includes(flag) && !flags.includes(flag)) flags += flag;
    source = source.slice(lead[0].length);
  }
  source = source.replace(/\\Q([\s\S]*?)(?:\\E|$)/g, (_m, literal: string) =>
    literal.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&'),
  );
  source = source.replace(/\(\?P</g, '(?<');
  source = source.replace(/\\A/g, '^').replace(/\\z/g, '$');
  source = source.replace(/\[:(\^?)([a-z]+):\]/g, (m, negate: string, name: string) => {
    const cls = POSIX_CLASSES[name];
    if (!cls) return m;
    return negate ? `^${cls}` : cls;
  });
  if (/\(\?[imsU-]+\)/.test(source)) source = inlineFlagsToGroups(source);
  if (/\\p\{?[A-Za-z]/.test(source)) {
    source = source.replace(/\\([pP])([A-Z])(?![{])/g, '\\$1{$2}');
    if (!flags.includes('u')) flags += 'u';
  }
  return new RegExp(source, flags);
}

function asStrings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function loadAllowlist(
  raw: Record<string, unknown>,
  owner: string,
  notes: string[],
): { allowlist?: RuleAllowlist; error?: string } {
  const regexes: RegExp[] = [];
  for (const pattern of asStrings(raw['regexes'])) {
    try {
      const compiled = translateGoRegex(pattern);
      regexes.push(new RegExp(compiled.source, compiled.flags.replace(/[gd]/g, '')));
    } catch (error) {
      return { error: `allowlist regex ${JSON.stringify(pattern)} does not translate: ${(error as Error).message}` };
    }
  }
  if (asStrings(raw['paths']).length > 0) notes.push(`${owner}: path allowlists do not apply to notebook cells`);
  if (asStrings(raw['commits']).length > 0) notes.push(`${owner}: commit allowlists do not apply`);
  const target = raw['regexTarget'];
  const condition = raw['condition'];
  return {
    allowlist: {
      ...(typeof raw['description'] === 'string' ? { description: raw['description'] } : {}),
      condition: condition === 'AND' ? 'AND' : 'OR',
      regexes,
      regexTarget: target === 'match' || target === 'line' ? (target as RegexTarget) : 'secret',
      stopwords: asStrings(raw['stopwords']),
    },
  };
}

/** Parses gitleaks TOML text into rules (plus kagg's own when `[extend] useDefault = true`). */
export function loadGitleaksToml(text: string, source = 'rules file'): LoadedRules {
  let config: Record<string, unknown>;
  try {
    config = parse(text) as Record<string, unknown>;
  } catch (error) {
    throw usageError(`${source} is not valid TOML: ${(error as Error).message}`);
  }
  const unsupported: UnsupportedRule[] = [];
  const notes: string[] = [];
  // `[allowlist]` and `[[allowlists]]` apply to every rule, kagg's own under `[extend]` included,
  // or only to the rules a `[[allowlists]]` names in `targetRules`.
  const globalAllowlists: Array<{ allowlist: RuleAllowlist; targets?: Set<string> }> = [];
  for (const raw of [config['allowlist'], ...(Array.isArray(config['allowlists']) ? config['allowlists'] : [])]) {
    if (!isRecord(raw)) continue;
    const loaded = loadAllowlist(raw, 'global allowlist', notes);
    const targets = asStrings(raw['targetRules']);
    if (loaded.allowlist)
      globalAllowlists.push({
        allowlist: loaded.allowlist,
        ...(targets.length > 0 ? { targets: new Set(targets) } : {}),
      });
    else unsupported.push({ id: '[allowlist]', reason: loaded.error ?? 'unknown' });
  }
  const globalFor = (id: string): RuleAllowlist[] =>
    globalAllowlists.filter((entry) => !entry.targets || entry.targets.has(id)).map((entry) => entry.allowlist);
  const rules: SecretRule[] = [];
  for (const raw of Array.isArray(config['rules']) ? config['rules'] : []) {
    if (!isRecord(raw)) continue;
    const id = typeof raw['id'] === 'string' ? raw['id'] : `rule-${rules.length + unsupported.length + 1}`;
    const pattern = raw['regex'];
    if (typeof pattern !== 'string' || pattern === '') {
      unsupported.push({ id, reason: 'path-only rule (kagg scans notebook text, not file paths)' });
      continue;
    }
    let regex: RegExp;
    try {
      regex = translateGoRegex(pattern);
    } catch (error) {
      unsupported.push({ id, reason: `regex does not translate to JavaScript: ${(error as Error).message}` });
      continue;
    }
    if (typeof raw['path'] === 'string') notes.push(`${id}: its path condition is ignored`);
    const allowlists: RuleAllowlist[] = globalFor(id);
    const rawAllowlists = [
      ...(isRecord(raw['allowlist']) ? [raw['allowlist']] : []),
      ...(Array.isArray(raw['allowlists']) ? raw['allowlists'].filter(isRecord) : []),
    ];
    let failed: string | undefined;
    for (const rawAllowlist of rawAllowlists) {
      const loaded = loadAllowlist(rawAllowlist, id, notes);
      if (loaded.allowlist) allowlists.push(loaded.allowlist);
      else failed = loaded.error;
    }
    if (failed) {
      unsupported.push({ id, reason: failed });
      continue;
    }
    const secretGroup =
      typeof raw['secretGroup'] === 'number' && raw['secretGroup'] > 0 ? raw['secretGroup'] : undefined;
    rules.push({
      id,
      description: typeof raw['description'] === 'string' ? raw['description'] : id,
      regex,
      ...(secretGroup ? { secretGroup } : {}),
      keywords: asStrings(raw['keywords']).map((keyword) => keyword.toLowerCase()),
      ...(typeof raw['entropy'] === 'number' ? { entropy: raw['entropy'] } : {}),
      ...(allowlists.length > 0 ? { allowlists } : {}),
      ...(id.startsWith('generic') ? { generic: true } : {}),
    });
  }
  const extend = isRecord(config['extend']) ? config['extend'] : undefined;
  if (extend && extend['useDefault'] === true) {
    const disabled = new Set(asStrings(extend['disabledRules']));
    const own = new Set(rules.map((rule) => rule.id));
    for (const rule of DEFAULT_RULES) {
      if (disabled.has(rule.id) || own.has(rule.id)) continue;
      const extra = globalFor(rule.id);
      rules.push(extra.length === 0 ? rule : { ...rule, allowlists: [...(rule.allowlists ?? []), ...extra] });
    }
  }
  if (extend && typeof extend['path'] === 'string') notes.push(`[extend] path ${extend['path']} is not followed`);
  return { rules, unsupported, notes };
}
