/**
 * The notebook-aware secret scanner: runs the rule table over every decoded text of a notebook
 * (see segments.ts), applies keywords, entropy, allowlists, stopwords and inline allow comments, and
 * returns redacted findings. A specific rule wins over a generic rule that found the same secret.
 */
import type { NotebookDocument } from '@kagg/plugin-api';
import type { Baseline } from './baseline.js';
import { shannonEntropy } from './entropy.js';
import { fingerprint } from './fingerprint.js';
import { indexRules, rulesToRun } from './keywords.js';
import { redactSecret } from './redact.js';
import { DEFAULT_RULES, GLOBAL_ALLOWLIST } from './rules.js';
import { notebookSegments, type TextSegment } from './segments.js';
import type { Finding, MatchContext, RuleAllowlist, SecretRule } from './types.js';

/** Comments that accept the findings on their line. */
export const INLINE_ALLOW = /kagg:allow|gitleaks:allow|pragma: allowlist secret/;

const DATA_URI = /data:[\w.+-]+\/[\w.+-]+;base64,[A-Za-z0-9+/=\s]{32,}/g;

/** `0123456789abcdef...`, `abcdefgh`: mostly ascending runs, a placeholder rather than a key. */
function isSequential(secret: string): boolean {
  if (secret.length < 8) return false;
  let steps = 0;
  for (let i = 1; i < secret.length; i++) if (secret.charCodeAt(i) - secret.charCodeAt(i - 1) === 1) steps++;
  return steps / (secret.length - 1) >= 0.6;
}

/** A match of one rule in one text, before it becomes a finding. */
export interface TextMatch {
  rule: SecretRule;
  secret: string;
  /** Offset of the secret in the text. */
  start: number;
  line: number;
  column: number;
  entropy: number;
}

interface CompiledRules {
  rules: SecretRule[];
  keywordRegex: RegExp | undefined;
  /** For each keyword, the keywords it contains (a match of the longer one implies them). */
  implied: Map<string, string[]>;
  /** Which rules each keyword names, and the rules that have none (see keywords.ts). */
  byKeyword: Map<string, number[]>;
  always: number[];
}

const compiledCache = new WeakMap<SecretRule[], CompiledRules>();

function compile(rules: SecretRule[]): CompiledRules {
  const cached = compiledCache.get(rules);
  if (cached) return cached;
  const keywords = [...new Set(rules.flatMap((rule) => rule.keywords.map((k) => k.toLowerCase())))].sort(
    (a, b) => b.length - a.length,
  );
  const implied = new Map<string, string[]>();
  for (const keyword of keywords)
    implied.set(
      keyword,
      keywords.filter((other) => keyword.includes(other)),
    );
  const escaped = keywords.map((k) => k.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'));
  const compiled: CompiledRules = {
    rules,
    keywordRegex: keywords.length > 0 ? new RegExp(escaped.join('|'), 'g') : undefined,
    implied,
    ...indexRules(rules),
  };
  compiledCache.set(rules, compiled);
  return compiled;
}

function presentKeywords(compiled: CompiledRules, text: string): Set<string> {
  const found = new Set<string>();
  const regex = compiled.keywordRegex;
  if (!regex) return found;
  const lower = text.toLowerCase();
  regex.lastIndex = 0;
  for (let m = regex.exec(lower); m !== null; m = regex.exec(lower)) {
    for (const keyword of compiled.implied.get(m[0]) ?? [m[0]]) found.add(keyword);
    regex.lastIndex = m.index + 1;
  }
  return found;
}

function pickSecret(rule: SecretRule, m: RegExpExecArray): { secret: string; offset: number } | undefined {
  const groups =
    rule.secretGroup === undefined
      ? undefined
      : Array.isArray(rule.secretGroup)
        ? rule.secretGroup
        : [rule.secretGroup];
  const candidates = groups ?? Array.from({ length: m.length - 1 }, (_, k) => k + 1);
  for (const group of candidates) {
    const value = m[group];
    if (value !== undefined && value !== '') {
      const offset = m.indices?.[group]?.[0] ?? m.index + m[0].indexOf(value);
      return { secret: value, offset };
    }
  }
  if (groups) return undefined;
  return { secret: m[0], offset: m.index };
}

function allowlistHits(allowlist: RuleAllowlist, secret: string, match: string, line: string): boolean {
  const target = allowlist.regexTarget === 'match' ? match : allowlist.regexTarget === 'line' ? line : secret;
  const checks: boolean[] = [];
  if (allowlist.regexes && allowlist.regexes.length > 0) checks.push(allowlist.regexes.some((r) => r.test(target)));
  if (allowlist.stopwords && allowlist.stopwords.length > 0) {
    const lower = secret.toLowerCase();
    checks.push(allowlist.stopwords.some((word) => lower.includes(word.toLowerCase())));
  }
  if (checks.length === 0) return false;
  return allowlist.condition === 'AND' ? checks.every(Boolean) : checks.some(Boolean);
}

class LineIndex {
  private starts: number[] | undefined;
  constructor(private readonly text: string) {}
  private build(): number[] {
    if (this.starts) return this.starts;
    const starts = [0];
    for (let i = this.text.indexOf('\n'); i >= 0; i = this.text.indexOf('\n', i + 1)) starts.push(i + 1);
    this.starts = starts;
    return starts;
  }
  /** 0-based line of an offset. */
  lineOf(offset: number): number {
    const starts = this.build();
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
  lineText(line: number): string {
    const starts = this.build();
    const start = starts[line] ?? 0;
    const end = starts[line + 1] === undefined ? this.text.length : starts[line + 1]! - 1;
    return this.text.slice(start, end);
  }
  lineStart(line: number): number {
    return this.build()[line] ?? 0;
  }
}

/** Runs the rules over one text. Matches on a line with an inline allow comment are dropped. */
export function scanText(input: string, rules: SecretRule[] = DEFAULT_RULES): TextMatch[] {
  const compiled = compile(rules);
  const text = input.includes('base64,') ? input.replace(DATA_URI, (m) => m.replace(/[^\n]/g, ' ')) : input;
  const keywords = presentKeywords(compiled, text);
  const lines = new LineIndex(text);
  const matches: TextMatch[] = [];
  for (const rule of rulesToRun(compiled.rules, compiled.byKeyword, compiled.always, keywords)) {
    const regex = rule.regex;
    regex.lastIndex = 0;
    for (let m = regex.exec(text); m !== null; m = regex.exec(text)) {
      if (m[0].length === 0) {
        regex.lastIndex++;
        continue;
      }
      const picked = pickSecret(rule, m);
      if (!picked) continue;
      const { secret, offset } = picked;
      const line = lines.lineOf(offset);
      const lineText = lines.lineText(line);
      const entropy = shannonEntropy(secret);
      if (rule.entropy !== undefined && entropy < rule.entropy) continue;
      if (allowlistHits(GLOBAL_ALLOWLIST, secret, m[0], lineText)) continue;
      if (!rule.allowSequential && isSequential(secret)) continue;
      if (rule.allowlists?.some((allow) => allowlistHits(allow, secret, m[0], lineText))) continue;
      if (rule.stopwords?.some((word) => secret.toLowerCase().includes(word.toLowerCase()))) continue;
      if (rule.validate) {
        const matchEnd = m.index + m[0].length;
        const endLine = lines.lineOf(matchEnd);
        const after = text.slice(matchEnd, lines.lineStart(endLine) + lines.lineText(endLine).length);
        const context: MatchContext = { secret, match: m[0], line: lineText, groups: [...m], after };
        if (!rule.validate(context)) continue;
      }
      if (INLINE_ALLOW.test(lineText) || INLINE_ALLOW.test(lines.lineText(lines.lineOf(m.index)))) continue;
      matches.push({
        rule,
        secret,
        start: offset,
        line: line + 1,
        column: offset - lines.lineStart(line) + 1,
        entropy,
      });
    }
  }
  return dedupe(matches);
}

/**
 * Whether the part of a match outside the spans already kept holds a credential of its own: a run
 * of 16+ key characters mixing letters and digits with high entropy (`AKIA…:<secret key>` is two
 * secrets; `AccountKey=<key>;EndpointSuffix=core.windows.net` around a key is not).
 */
function holdsAnotherSecret(match: TextMatch, spans: TextMatch[]): boolean {
  const chars = [...match.secret];
  for (const other of spans) {
    for (
      let i = Math.max(other.start, match.start);
      i < Math.min(other.start + other.secret.length, match.start + chars.length);
      i++
    ) {
      chars[i - match.start] = ' ';
    }
  }
  return chars
    .join('')
    .split(/[^A-Za-z0-9+/_-]+/)
    .some((run) => run.length >= 16 && /[0-9]/.test(run) && /[A-Za-z]/.test(run) && shannonEntropy(run) >= 3.5);
}

/**
 * One finding per secret: a specific rule beats a generic one, an earlier rule a later one. Two
 * secrets in one place stay two: a match overlapping kept ones survives when the rest of it is a
 * credential too.
 */
function dedupe(matches: TextMatch[]): TextMatch[] {
  const order = (match: TextMatch): number => (match.rule.generic ? 1 : 0);
  const sorted = matches.map((match, k) => ({ match, k })).sort((a, b) => order(a.match) - order(b.match) || a.k - b.k);
  const kept: TextMatch[] = [];
  for (const { match } of sorted) {
    const end = match.start + match.secret.length;
    const overlapping = kept.filter((other) => match.start < other.start + other.secret.length && other.start < end);
    if (overlapping.length === 0 || holdsAnotherSecret(match, overlapping)) kept.push(match);
  }
  return kept.sort((a, b) => a.start - b.start);
}

function previewOf(secret: string): string {
  return redactSecret(secret.replace(/\\[nr]|\s+/g, ''));
}

export interface ScanOptions {
  /** The notebook's path or URL, carried in every finding. */
  source?: string;
  rules?: SecretRule[];
  /** Accepted findings: matching ones are left out. */
  baseline?: Baseline;
}

/** What a password-type widget's saved value is reported as when no rule named it more precisely. */
const WIDGET_PASSWORD: SecretRule = {
  id: 'widget-password',
  description: 'Password saved in the state of a password widget',
  regex: /(?!)/g,
  keywords: [],
};

/**
 * The matches of a segment with its password widgets' values: a specific rule that matched one keeps
 * it (`ghp_…` typed into a password field); otherwise it is one `widget-password` match, replacing
 * what the generic rules made of the `widget_password` line.
 */
function withWidgetPasswords(segment: TextSegment, matches: TextMatch[]): TextMatch[] {
  if (!segment.passwords || segment.passwords.length === 0) return matches;
  const lines = segment.text.split('\n');
  const onPasswordLine = (match: TextMatch) => segment.passwords!.some((password) => password.line === match.line);
  const out = matches.filter((match) => !(match.rule.generic && onPasswordLine(match)));
  for (const password of segment.passwords) {
    const text = lines[password.line - 1] ?? '';
    if (out.some((match) => match.line === password.line) || INLINE_ALLOW.test(text)) continue;
    out.push({
      rule: WIDGET_PASSWORD,
      secret: password.value,
      start: 0,
      line: password.line,
      column: Math.max(text.indexOf(password.value) + 1, 1),
      entropy: shannonEntropy(password.value),
    });
  }
  return out.sort((a, b) => a.line - b.line || a.column - b.column);
}

function findingsOfSegment(segment: TextSegment, rules: SecretRule[], source: string): Finding[] {
  return withWidgetPasswords(segment, scanText(segment.text, rules)).map((match) => {
    const path =
      segment.location === 'metadata'
        ? (segment.linePaths?.[match.line - 1] ?? segment.path)
        : segment.location === 'output'
          ? segment.path
          : undefined;
    return {
      notebook: source,
      rule: match.rule.id,
      description: match.rule.description,
      cell: segment.cell,
      location: segment.location,
      line: match.line,
      column: match.column,
      ...(path === undefined ? {} : { path }),
      preview: previewOf(match.secret),
      fingerprint: fingerprint(match.rule.id, match.secret),
      entropy: Math.round(match.entropy * 100) / 100,
    };
  });
}

/** Scans a decoded notebook: every cell source, text output, and notebook and cell metadata. */
export function scanNotebook(document: NotebookDocument, options: ScanOptions = {}): Finding[] {
  const rules = options.rules ?? DEFAULT_RULES;
  const source = options.source ?? '';
  const findings: Finding[] = [];
  for (const segment of notebookSegments(document)) {
    for (const finding of findingsOfSegment(segment, rules, source)) {
      if (options.baseline?.has(finding)) continue;
      findings.push(finding);
    }
  }
  return findings;
}
