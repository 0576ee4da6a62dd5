/**
 * The Python runtime shipped inside every deployed function: `kagg_runtime.py` (standard library
 * only, shared by every target) and one adapter per target. The build copies
 * `src/runtime/python/**` to `dist/runtime/python/`, so these files sit next to this module.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { KaggError } from '../errors/index.js';

/** The runtime module every bundle carries at its root. */
export const RUNTIME_MODULE = 'kagg_runtime.py';

/** The local target's server: `python3 <it> --dir BUNDLE --host 127.0.0.1 --port 0 --ready-file PATH`. */
export const LOCAL_SERVER = 'adapters/local_server.py';

/** The AWS Lambda adapter, shipped as `handler.py` (Function URL payload 2.0). */
export const AWS_HANDLER = 'adapters/aws_handler.py';

/** The Google Cloud Functions adapter, shipped as `main.py` (entry point `predict_handler`, a flask.Request). */
export const GCP_MAIN = 'adapters/gcp_main.py';

/** The Azure Functions adapter, shipped as `function_app.py` (Python v2 model). */
export const AZURE_FUNCTION_APP = 'adapters/azure_function_app.py';

/** The container entry point, shipped as `server.py` (serves with LOCAL_SERVER, settings from `PORT` etc.). */
export const CONTAINER_SERVER = 'adapters/container_server.py';

/** The files this room ships, relative to `runtimeDir()`. */
export const RUNTIME_FILES: readonly string[] = [
  RUNTIME_MODULE,
  LOCAL_SERVER,
  AWS_HANDLER,
  GCP_MAIN,
  AZURE_FUNCTION_APP,
  CONTAINER_SERVER,
];

/** Absolute path of the folder holding the Python runtime files (`dist/runtime/python`). */
export function runtimeDir(): string {
  return fileURLToPath(new URL('./python/', import.meta.url)).replace(/[\\/]+$/, '');
}

/**
 * Reads one runtime file, e.g. `readRuntimeFile('kagg_runtime.py')`. The path is relative to
 * `runtimeDir()`, uses `/` separators and may not leave that folder.
 */
export async function readRuntimeFile(relPath: string): Promise<Uint8Array> {
  const normalized = path.posix.normalize(relPath.replaceAll('\\', '/'));
  if (relPath === '' || path.posix.isAbsolute(normalized) || normalized === '..' || normalized.startsWith('../')) {
    throw new KaggError(`Runtime file path "${relPath}" must be relative to the runtime folder.`, {
      code: 'RUNTIME_FILE_PATH',
    });
  }
  const file = path.join(runtimeDir(), ...normalized.split('/'));
  try {
    return new Uint8Array(await readFile(file));
  } catch (error) {
    throw new KaggError(`Runtime file "${relPath}" is missing from ${runtimeDir()}.`, {
      code: 'RUNTIME_FILE_MISSING',
      action: 'rebuild kagg (`npm run build`): the build copies src/runtime/python to dist',
      cause: error,
    });
  }
}
