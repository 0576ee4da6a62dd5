/**
 * The Azure Functions package (Python v2 model, contract §4.8): the bundle's files at the root, the
 * adapter as `function_app.py` with the auth level written in, `host.json`, and `requirements.txt`
 * with azure-functions first. Never local.settings.json. Remote build installs the requirements.
 */
import { zipFiles } from '@kagg/core/bundle';
import { AZURE_FUNCTION_APP, readRuntimeFile } from '@kagg/core/runtime';
import type { Artifact, BundleFile, FunctionBundle } from '@kagg/plugin-api';
import { type AzureOptions, resolveAzureOptions } from './options.js';

export const APP_FILE = 'function_app.py';

/** host.json: the extension bundle (for non-HTTP bindings only), the `api` route prefix, the timeout. */
export function hostJson(timeoutSeconds: number): Record<string, unknown> {
  const hms = [3600, 60, 1].map((unit, i) =>
    String(Math.floor(timeoutSeconds / unit) % (i === 0 ? 100 : 60)).padStart(2, '0'),
  );
  return {
    version: '2.0',
    extensionBundle: { id: 'Microsoft.Azure.Functions.ExtensionBundle', version: '[4.*, 5.0.0)' },
    extensions: { http: { routePrefix: 'api' } },
    functionTimeout: hms.join(':'),
  };
}

const text = (path: string, data: string): BundleFile => ({ path, data: new TextEncoder().encode(data) });

export async function packageForAzure(bundle: FunctionBundle, options: AzureOptions): Promise<Artifact> {
  const resolved = resolveAzureOptions(options);
  const authLevel = resolved.public ? 'ANONYMOUS' : 'FUNCTION';
  const adapter = new TextDecoder()
    .decode(await readRuntimeFile(AZURE_FUNCTION_APP))
    .replace(/^AUTH_LEVEL = "FUNCTION"(.*)$/m, `AUTH_LEVEL = "${authLevel}"$1`);
  const requirements = ['azure-functions', ...bundle.requirements.filter((r) => !/^azure-functions\b/i.test(r))];
  const own = new Set([APP_FILE, 'host.json', 'requirements.txt', 'local.settings.json']);
  const files: BundleFile[] = [
    ...bundle.files.filter((f) => !own.has(f.path)),
    text(APP_FILE, adapter),
    text('host.json', `${JSON.stringify(hostJson(resolved.timeout), null, 2)}\n`),
    text('requirements.txt', `${requirements.join('\n')}\n`),
  ].sort((a, b) => a.path.localeCompare(b.path));
  return {
    target: 'azure',
    bundle,
    files,
    zip: zipFiles(files),
    metadata: { app: APP_FILE, authLevel, python: resolved.pythonVersion },
  };
}
