import type { SecretFinding } from '@kagg/plugin-api';

/** Which text of a match an allowlist regex is tested against (gitleaks' `regexTarget`). */
export type RegexTarget = 'secret' | 'match' | 'line';

/** A rule-level allowlist, as in gitleaks: any (OR) or all (AND) of its checks silence a match. */
export interface RuleAllowlist {
  description?: string;
  condition?: 'OR' | 'AND';
  regexes?: RegExp[];
  regexTarget?: RegexTarget;
  /** Case-insensitive substrings of the secret. */
  stopwords?: string[];
}

/** What a rule's extra check sees about one match. */
export interface MatchContext {
  secret: string;
  match: string;
  line: string;
  groups: Array<string | undefined>;
  /** The text after the match on its line. */
  after: string;
}

/** One detection rule, modelled on a gitleaks rule. */
export interface SecretRule {
  id: string;
  description: string;
  /** Must carry the `g` flag. */
  regex: RegExp;
  /** Capture group holding the secret; default: the first non-empty group, else the whole match. */
  secretGroup?: number | number[];
  /** Lower-case substrings, one of which must occur in the text for the regex to run. Empty: always run. */
  keywords: string[];
  /** Minimum Shannon entropy of the secret. */
  entropy?: number;
  allowlists?: RuleAllowlist[];
  /** Case-insensitive substrings of the secret that silence a match. */
  stopwords?: string[];
  /** Keep a value whose characters run in ascending order (`12345678-ABCD-…`): the context names the key. */
  allowSequential?: boolean;
  /** Generic rules yield to a specific rule that matched the same span. */
  generic?: boolean;
  /** An extra check a regex cannot express (a JWT header that decodes, a name that is not an id). */
  validate?: (context: MatchContext) => boolean;
}

export type FindingLocation = SecretFinding['location'];

/** A finding as kagg reports it: redacted, with where it is and a fingerprint for baselines. */
export interface Finding extends SecretFinding {
  /** The notebook's path or URL. */
  notebook: string;
  /** 1-based column of the secret on its line. */
  column: number;
  /** For metadata findings: the dotted path of the value; for outputs: `outputs[k].<field>`. */
  path?: string;
  /** sha256 over rule id and secret (hex, 32 chars): stable across edits, reveals nothing. */
  fingerprint: string;
  entropy: number;
}
