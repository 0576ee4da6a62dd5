/**
 * The one service `kagg preprocess` and the deploy hook call: read a notebook's text, optionally clean
 * and strip it, check (and fix) its imports, scan it for secrets and derive its requirements. Pure apart from reading the folder
 * next to the notebook for local modules; writing files is the caller's business.
 */

import { readNotebook } from '@kagg/core/notebook';
import type { NotebookDocument } from '@kagg/plugin-api';
import { type CleanOptions, cleanNotebook } from './clean/clean.js';
import { serializeNotebook, usesCrlf } from './clean/serialize.js';
import { type StripOptions, stripOutputs } from './clean/strip.js';
import type { ImportIssue, OptimizeOptions } from './optimize/imports.js';
import type { RequirementsOptions, RequirementsReport } from './requirements/analyze.js';
import type { Baseline } from './secrets/baseline.js';
import { DEFAULT_RULES } from './secrets/rules.js';
import { scanNotebook } from './secrets/scanner.js';
import type { Finding, SecretRule } from './secrets/types.js';

export interface PreprocessOptions {
  /** Clean metadata by allowlist. */
  clean?: boolean | CleanOptions;
  /** Strip outputs (nbstripout semantics). */
  strip?: boolean | StripOptions;
  /** Scan for secrets (the original notebook, before any rewrite). */
  scan?: boolean;
  /** Derive requirements. */
  requirements?: boolean | RequirementsOptions;
  /** Report unused, duplicate, shadowed and star imports; with `fix`, remove the safe ones. */
  optimize?: boolean | OptimizeOptions;
  rules?: SecretRule[];
  baseline?: Baseline;
}

export interface PreprocessResult {
  source: string;
  /** The rewritten notebook's text, when cleaning or stripping ran. */
  text?: string;
  /** Whether `text` differs from the input. */
  changed: boolean;
  /** Metadata paths cleaning removed. */
  removed: string[];
  findings: Finding[];
  requirements?: RequirementsReport;
  /** Import issues, when `optimize` ran; `fixed` ones were removed from `text`. */
  imports?: ImportIssue[];
}

/** Processes one notebook's text. `source` is its path or URL, for messages and findings. */
export async function preprocess(
  text: string,
  source: string,
  options: PreprocessOptions = {},
): Promise<PreprocessResult> {
  const { document } = readNotebook(text, source);
  return preprocessDocument(document, source, options, text);
}

/** The same on an already parsed document; `original` (the file text) decides `changed` and line ends. */
export async function preprocessDocument(
  document: NotebookDocument,
  source: string,
  options: PreprocessOptions = {},
  original?: string,
): Promise<PreprocessResult> {
  const findings = options.scan
    ? scanNotebook(document, {
        source,
        rules: options.rules ?? DEFAULT_RULES,
        ...(options.baseline ? { baseline: options.baseline } : {}),
      })
    : [];
  let requirements: RequirementsReport | undefined;
  if (options.requirements) {
    const { analyzeRequirements } = await import('./requirements/analyze.js');
    requirements = await analyzeRequirements(document, options.requirements === true ? {} : options.requirements);
  }
  let out: string | undefined;
  let removed: string[] = [];
  let imports: ImportIssue[] | undefined;
  let current = document;
  const optimize = options.optimize === true ? {} : options.optimize || undefined;
  if (optimize) {
    const { optimizeImports } = await import('./optimize/imports.js');
    const result = optimizeImports(document, optimize);
    imports = result.issues;
    if (result.notebook) current = result.notebook;
    // A fix that changed nothing leaves the text as it was, byte for byte.
    else if (optimize.fix && !options.clean && !options.strip) out = original;
  }
  if (options.clean || options.strip || current !== document) {
    if (options.strip) current = stripOutputs(current, { source, ...(options.strip === true ? {} : options.strip) });
    if (options.clean) {
      const cleaned = cleanNotebook(current, options.clean === true ? {} : options.clean);
      current = cleaned.notebook;
      removed = cleaned.removed;
    }
    out = serializeNotebook(current, { crlf: original !== undefined && usesCrlf(original) });
  }
  return {
    source,
    ...(out === undefined ? {} : { text: out }),
    changed: out !== undefined && out !== original,
    removed,
    findings,
    ...(requirements ? { requirements } : {}),
    ...(imports ? { imports } : {}),
  };
}
