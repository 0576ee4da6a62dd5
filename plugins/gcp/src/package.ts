/**
 * The Cloud Functions source: the bundle's files at the root, the adapter as `main.py` (entry point
 * `predict_handler`), and `requirements.txt` with functions-framework plus the notebook's
 * requirements, which Cloud Build installs (contract §3.6): nothing is vendored.
 */
import { zipFiles } from '@kagg/core/bundle';
import { KaggError } from '@kagg/core/errors';
import { GCP_MAIN, readRuntimeFile } from '@kagg/core/runtime';
import type { Artifact, BundleFile, FunctionBundle } from '@kagg/plugin-api';
import { resolveGcpOptions } from './options.js';

export const MAIN_FILE = 'main.py';
export const ENTRY_POINT = 'predict_handler';
export const FUNCTIONS_FRAMEWORK = 'functions-framework>=3.8,<4';

/** requirements.txt: functions-framework first, then the notebook's own lines (sorted, de-duplicated). */
export function requirementsTxt(requirements: readonly string[]): string {
  const own = requirements.filter((r) => !/^functions[-_]framework\b/i.test(r.trim()));
  const framework = requirements.find((r) => /^functions[-_]framework\b/i.test(r.trim())) ?? FUNCTIONS_FRAMEWORK;
  return `${[framework, ...own].join('\n')}\n`;
}

export async function packageForGcf(bundle: FunctionBundle, rawOptions: unknown): Promise<Artifact> {
  const options = resolveGcpOptions(rawOptions as Record<string, unknown>);
  if (bundle.files.some((f) => f.path === MAIN_FILE)) {
    throw new KaggError(`the notebook bundle has its own ${MAIN_FILE}, where the Cloud Functions source needs kagg's`, {
      code: 'GCP_FILE_CONFLICT',
      action: `rename the bundled ${MAIN_FILE} or leave it out`,
    });
  }
  const files: BundleFile[] = [
    ...bundle.files,
    { path: MAIN_FILE, data: await readRuntimeFile(GCP_MAIN), mode: 0o644 },
    { path: 'requirements.txt', data: new TextEncoder().encode(requirementsTxt(bundle.requirements)), mode: 0o644 },
  ];
  const zip = zipFiles(files);
  return {
    target: 'gcp',
    bundle,
    files,
    zip,
    metadata: { entryPoint: ENTRY_POINT, runtime: options.runtime, zipBytes: zip.byteLength },
  };
}
