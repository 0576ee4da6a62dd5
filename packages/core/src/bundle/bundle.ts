/**
 * The FunctionBundle: the converted notebook, the shared runtime, bundled files and requirements,
 * with a hash over all of it. The same notebook always yields the same bundle and hash, which is
 * what makes re-deploying an unchanged notebook a no-op.
 */
import { createHash } from 'node:crypto';
import type { BundleFile, FunctionBundle } from '@kagg/plugin-api';
import { KaggError } from '../errors/index.js';
import type { Conversion } from '../notebook/index.js';
import { readRuntimeFile } from '../runtime/index.js';
import { mergeRequirements } from './requirements.js';

export interface CreateBundleInput {
  name: string;
  source: string;
  conversion: Conversion;
  /** More requirement lines (import analysis, a requirements.txt next to the notebook). */
  requirements?: readonly string[];
  /** Files to ship beside the notebook (`--include`, a Kaggle run's outputs under kaggle/working/). */
  extraFiles?: readonly BundleFile[];
}

const RESERVED = new Set(['notebook.py', 'kagg_runtime.py', 'requirements.txt']);

export function bundleHash(files: readonly BundleFile[], requirements: readonly string[]): string {
  const hash = createHash('sha256');
  for (const file of [...files].sort((a, b) => (a.path < b.path ? -1 : 1))) {
    hash
      .update(file.path)
      .update('\0')
      .update(String(file.mode ?? 0o644))
      .update('\0');
    hash.update(file.data).update('\0');
  }
  hash.update(requirements.join('\n'));
  return hash.digest('hex');
}

export async function createBundle(input: CreateBundleInput): Promise<FunctionBundle> {
  const encoder = new TextEncoder();
  const files: BundleFile[] = [
    { path: 'notebook.py', data: encoder.encode(input.conversion.module) },
    { path: 'kagg_runtime.py', data: await readRuntimeFile('kagg_runtime.py') },
  ];
  const seen = new Set(files.map((f) => f.path));
  const add = (file: BundleFile, origin: string) => {
    if (RESERVED.has(file.path) || seen.has(file.path)) {
      throw new KaggError(`${origin} would overwrite "${file.path}" in the bundle`, {
        code: 'BUNDLE_FILE_CONFLICT',
        action: 'rename the file',
      });
    }
    seen.add(file.path);
    files.push(file);
  };
  for (const f of input.conversion.files) add({ path: f.path, data: encoder.encode(f.content) }, '%%writefile');
  for (const f of input.extraFiles ?? []) add(f, 'an included file');
  const { requirements, conflicts } = mergeRequirements(input.conversion.requirements, input.requirements);
  const warnings = [...input.conversion.warnings, ...conflicts.map((c) => `conflicting requirement pins: ${c}`)];
  return {
    name: input.name,
    source: input.source,
    entry: input.conversion.entry,
    parameters: input.conversion.parameters,
    files,
    requirements,
    hash: bundleHash(files, requirements),
    warnings,
  };
}
