/**
 * `kagg preprocess` over several notebooks: load the rules and baseline once, process each notebook
 * with `preprocess`, write rewritten ones through the caller, and gather one report.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { mergeRequirements } from '@kagg/core/bundle';
import { usageError } from '@kagg/core/errors';
import type { CleanOptions } from './clean/clean.js';
import type { StripOptions } from './clean/strip.js';
import type { OptimizeOptions } from './optimize/imports.js';
import { preprocess } from './preprocess.js';
import type { PreprocessReport } from './report.js';
import { parseBaseline } from './secrets/baseline.js';
import { loadGitleaksToml } from './secrets/gitleaks-toml.js';
import { DEFAULT_RULES } from './secrets/rules.js';

export interface RunOptions {
  notebooks: string[];
  clean?: CleanOptions | undefined;
  strip?: StripOptions | undefined;
  scan: boolean;
  requirements: boolean;
  /** Check imports (`fix`: remove the unused and duplicate ones that are safe to remove). */
  optimize?: OptimizeOptions | undefined;
  python?: string;
  /** Write unknown imports as distributions of the same name. */
  assumeUnknownDistributions?: boolean;
  rulesFile?: string | undefined;
  baselineFile?: string | undefined;
  /** Writes a rewritten notebook; returns where it went. */
  write?: (source: string, text: string) => Promise<string>;
}

async function readInput(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw usageError(`${what} ${file}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
}

export async function runPreprocess(options: RunOptions): Promise<PreprocessReport> {
  const notes: string[] = [];
  let rules = DEFAULT_RULES;
  let unsupportedRules: PreprocessReport['unsupportedRules'] = [];
  if (options.rulesFile) {
    const loaded = loadGitleaksToml(await readInput(options.rulesFile, '--rules'), options.rulesFile);
    rules = loaded.rules;
    unsupportedRules = loaded.unsupported;
    for (const rule of loaded.unsupported)
      notes.push(`rule ${rule.id} from ${options.rulesFile} is not used: ${rule.reason}`);
    notes.push(...loaded.notes);
  }
  const baseline = options.baselineFile
    ? parseBaseline(await readInput(options.baselineFile, '--baseline'), options.baselineFile)
    : undefined;

  const report: PreprocessReport = { scanned: options.scan, notebooks: [], findings: [], unsupportedRules, notes };
  for (const notebook of options.notebooks) {
    const text = await readInput(notebook, 'notebook');
    const result = await preprocess(text, notebook, {
      ...(options.clean ? { clean: options.clean } : {}),
      ...(options.strip ? { strip: { ...options.strip, source: notebook } } : {}),
      scan: options.scan,
      ...(options.optimize
        ? { optimize: { ...options.optimize, ...(options.python ? { python: options.python } : {}) } }
        : {}),
      ...(options.requirements
        ? {
            requirements: {
              directory: path.dirname(path.resolve(notebook)),
              ...(options.python ? { python: options.python } : {}),
              ...(options.assumeUnknownDistributions ? { assumeUnknownDistributions: true } : {}),
            },
          }
        : {}),
      rules,
      ...(baseline ? { baseline } : {}),
    });
    let written: string | undefined;
    if (result.text !== undefined && options.write) {
      written = await options.write(notebook, result.text);
    }
    report.notebooks.push({
      notebook,
      findings: result.findings,
      ...(result.requirements ? { requirements: result.requirements } : {}),
      ...(result.imports ? { imports: result.imports } : {}),
      ...(result.text !== undefined ? { changed: result.changed, removed: result.removed } : {}),
      ...(written ? { written } : {}),
    });
    report.findings.push(...result.findings);
  }
  if (options.requirements) {
    const reports = report.notebooks.flatMap((item) => (item.requirements ? [item.requirements] : []));
    const merged = mergeRequirements(...reports.map((item) => item.requirements));
    report.requirements = merged.requirements;
    const optional = mergeRequirements(...reports.map((item) => item.optional.map((r) => r.line)));
    const requiredNames = new Set(merged.requirements.map((line) => line.toLowerCase()));
    report.optional = optional.requirements.filter((line) => !requiredNames.has(line.toLowerCase()));
    notes.push(...merged.conflicts.map((conflict) => `conflicting pins across notebooks: ${conflict}`));
  }
  return report;
}
