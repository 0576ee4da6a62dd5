/**
 * @kagg/plugin-preprocess as a library: notebook cleaning, output stripping, secret scanning and
 * requirements analysis, for `kagg preprocess` and for the deploy path (`kagg:transform` hook).
 */
export { type CleanOptions, type CleanResult, cleanNotebook } from './clean/clean.js';
export { serializeNotebook, splitLines, usesCrlf } from './clean/serialize.js';
export { type StripOptions, stripOutputs } from './clean/strip.js';
export {
  type ImportIssue,
  type ImportIssueKind,
  type OptimizeOptions,
  type OptimizeResult,
  optimizeImports,
} from './optimize/imports.js';
export { importSideEffect } from './optimize/side-effects.js';
export { type PreprocessOptions, type PreprocessResult, preprocess, preprocessDocument } from './preprocess.js';
export {
  analyzeRequirements,
  formatRequirementsTxt,
  type Requirement,
  type RequirementsOptions,
  type RequirementsReport,
  type UnresolvedImport,
} from './requirements/analyze.js';
export { DISTRIBUTION_TABLE_SIZE, distributionFor, RUNTIME_ONLY } from './requirements/distributions.js';
export { findImports } from './requirements/imports.js';
export { DEFAULT_PYTHON, isStdlib, PYTHON_VERSIONS, stdlibModules } from './requirements/stdlib.js';
export { Baseline, parseBaseline } from './secrets/baseline.js';
export { shannonEntropy } from './secrets/entropy.js';
export { fingerprint } from './secrets/fingerprint.js';
export { type LoadedRules, loadGitleaksToml, translateGoRegex, type UnsupportedRule } from './secrets/gitleaks-toml.js';
export { redactSecret } from './secrets/redact.js';
export { DEFAULT_RULES } from './secrets/rules.js';
export { type SarifOptions, toSarif } from './secrets/sarif.js';
export { INLINE_ALLOW, type ScanOptions, scanNotebook, scanText, type TextMatch } from './secrets/scanner.js';
export type { Finding, RuleAllowlist, SecretRule } from './secrets/types.js';
