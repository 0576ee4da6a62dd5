/**
 * From an input to a FunctionBundle: resolve → read → transforms (`kagg:transform` hooks, e.g. the
 * preprocessor's secret scan and import analysis) → convert → bundle, merging requirements with a
 * requirements.txt next to the notebook.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { BundleFile } from '@kagg/plugin-api';
import {
  type FunctionBundle,
  hooks,
  type SecretFinding,
  type TransformInput,
  type TransformResult,
} from '@kagg/plugin-api';
import type { Config } from '@oclif/core';
import { createBundle } from '../bundle/bundle.js';
import { parseRequirementsText } from '../bundle/requirements.js';
import { KaggError, messageOf, usageError } from '../errors/index.js';
import { type ResolvedNotebook, type ResolveOptions, resolveNotebookInput } from '../input/resolve.js';
import { convertNotebook, type Notebook, readNotebook } from '../notebook/index.js';
import { runKaggHook } from '../targets/hooks.js';

export const NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

export interface PrepareOptions {
  input: string;
  name?: string;
  /** Deploy even when the secret scan found credentials. */
  allowSecrets?: boolean;
  /** Files or folders to bundle beside the notebook (`--include`). */
  include?: string[];
  resolve?: ResolveOptions;
  /** For a Kaggle kernel: bundle its latest run's output files (under kaggle/working/). */
  withOutputs?: boolean;
}

export interface PreparedBundle {
  bundle: FunctionBundle;
  notebook: ResolvedNotebook;
  /** Transforms that ran ("preprocess"); empty means no secret scan ran. */
  transforms: string[];
  findings: SecretFinding[];
  warnings: string[];
}

/** Said wherever kagg would have scanned a notebook but no plugin answered `kagg:transform`. */
export const NO_SCAN_WARNING =
  'no secret scan ran: the preprocess plugin is not installed (`kagg plugins install @kagg/plugin-preprocess`)';

export interface TransformOutcome {
  /** Ids of the transforms that ran ("preprocess"); empty means no secret scan ran. */
  transforms: string[];
  findings: SecretFinding[];
  requirements: string[];
  warnings: string[];
  /** The notebook after transforms (a plugin may rewrite it). */
  notebook: Notebook;
}

/**
 * Runs every plugin's `kagg:transform` hook on a notebook: a failing hook is an error (a scan that
 * could not run is not a clean scan), and findings are refused unless `allowSecrets`.
 */
export async function applyTransforms(
  config: Pick<Config, 'runHook'>,
  resolved: ResolvedNotebook,
  model: Notebook,
  options: { allowSecrets?: boolean; refusal?: { what: string; action: string } } = {},
): Promise<TransformOutcome> {
  const input: TransformInput & Record<string, unknown> = {
    notebook: model.document,
    source: resolved.source,
    ...(resolved.directory ? { directory: resolved.directory } : {}),
  };
  const hook = await runKaggHook(config, hooks.transform, input);
  if (hook.failures.length > 0) {
    const f = hook.failures[0]!;
    throw new KaggError(`the ${f.plugin.name} transform failed on ${resolved.source}: ${messageOf(f.error)}`, {
      code: 'TRANSFORM_FAILED',
    });
  }
  const results = hook.successes.flatMap((s): TransformResult[] =>
    s.result && typeof s.result.id === 'string' ? [s.result] : [],
  );
  const findings = results.flatMap((t) => t.findings ?? []);
  if (findings.length > 0 && !options.allowSecrets) {
    const refusal = options.refusal ?? {
      what: 'refusing to deploy',
      action:
        'remove them (read them from environment variables, pass values with --env), or deploy anyway with --allow-secrets',
    };
    const lines = findings.map((f) => `  cell ${f.cell} ${f.location} line ${f.line}: ${f.rule} ${f.preview}`);
    throw new KaggError(
      `${resolved.source} contains ${findings.length} likely secret(s); ${refusal.what}:\n${lines.join('\n')}`,
      {
        code: 'SECRETS_FOUND',
        action: refusal.action,
        details: { findings },
      },
    );
  }
  const rewritten = results.findLast((t) => t.notebook)?.notebook;
  return {
    transforms: results.map((t) => t.id),
    findings,
    requirements: results.flatMap((t) => t.requirements ?? []),
    warnings: [...results.flatMap((t) => t.warnings ?? []), ...(results.length === 0 ? [NO_SCAN_WARNING] : [])],
    notebook: rewritten ? readNotebook(JSON.stringify(rewritten), resolved.source) : model,
  };
}

async function includeFiles(paths: string[]): Promise<BundleFile[]> {
  const { readdir, stat } = await import('node:fs/promises');
  const out: BundleFile[] = [];
  const walk = async (abs: string, rel: string) => {
    const info = await stat(abs).catch(() => undefined);
    if (!info) throw usageError(`--include ${abs}: no such file or folder`);
    if (info.isDirectory()) {
      for (const child of (await readdir(abs)).sort()) await walk(path.join(abs, child), `${rel}/${child}`);
    } else {
      out.push({ path: rel, data: new Uint8Array(await readFile(abs)), mode: info.mode & 0o111 ? 0o755 : 0o644 });
    }
  };
  for (const p of paths) await walk(path.resolve(p), path.basename(path.resolve(p)));
  return out;
}

/** The latest run's outputs of a Kaggle kernel, as bundle files under kaggle/working/. */
async function outputsOf(notebook: ResolvedNotebook): Promise<BundleFile[]> {
  if (notebook.kind !== 'kaggle' || !notebook.outputs) {
    throw usageError(`--with-outputs needs a Kaggle kernel as input; ${notebook.source} is a ${notebook.kind}`);
  }
  const files = await notebook.outputs();
  return files.map((f) => ({ ...f, path: `kaggle/working/${f.path}` }));
}

export async function prepareBundle(config: Pick<Config, 'runHook'>, options: PrepareOptions): Promise<PreparedBundle> {
  const notebook = await resolveNotebookInput(options.input, options.resolve);
  const name = options.name ?? notebook.suggestedName;
  if (!NAME_PATTERN.test(name)) {
    throw usageError(`invalid endpoint name "${name}": use lower-case letters, digits and dashes (at most 63)`, {
      code: 'NAME_INVALID',
    });
  }
  const model = readNotebook(notebook.text, notebook.source);
  const transformed = await applyTransforms(config, notebook, model, { allowSecrets: options.allowSecrets });
  const warnings = [...transformed.warnings];
  const conversion = convertNotebook(transformed.notebook);
  let fileRequirements: string[] = [];
  if (notebook.directory) {
    const reqFile = path.join(notebook.directory, 'requirements.txt');
    const text = await readFile(reqFile, 'utf8').catch(() => undefined);
    if (text !== undefined) {
      const parsed = parseRequirementsText(text);
      fileRequirements = parsed.lines;
      for (const ignored of parsed.ignored)
        warnings.push(`${reqFile}: ignored "${ignored}" (only requirement lines are bundled)`);
    }
  }
  const extra = [
    ...(options.withOutputs ? await outputsOf(notebook) : []),
    ...(options.include ? await includeFiles(options.include) : []),
  ];
  const bundle = await createBundle({
    name,
    source: notebook.source,
    conversion,
    requirements: [...transformed.requirements, ...fileRequirements],
    extraFiles: extra,
  });
  return {
    bundle,
    notebook,
    transforms: transformed.transforms,
    findings: transformed.findings,
    warnings: [...warnings, ...bundle.warnings],
  };
}
