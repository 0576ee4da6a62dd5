/**
 * The function key of a keyed (auth level FUNCTION) app. It is never put in the registry or in
 * output: kagg keeps it in a 0600 file under KAGG_HOME/targets/azure/keys, and `invocation` reads it
 * back (or asks Azure again when the file is gone). listHostKeys' `functionKeys.default` works for
 * every function of the app; right after creation the host may not have keys yet, so it is retried.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { kaggPaths, registerSecret } from '@kagg/core/config';
import { KaggError } from '@kagg/core/errors';
import { sleep } from '@kagg/core/http';
import { type AzureSeam, type AzureSession, azureErrorOf, envOf, pollMsOf } from './arm.js';

export function keyFileOf(site: string, seam: AzureSeam): string {
  return path.join(kaggPaths(envOf(seam)).targetsDir, 'azure', 'keys', `${site}.key`);
}

export async function readStoredKey(site: string, seam: AzureSeam): Promise<string | undefined> {
  const key = await readFile(keyFileOf(site, seam), 'utf8').catch(() => undefined);
  if (key?.trim()) registerSecret(key.trim());
  return key?.trim() || undefined;
}

export async function storeKey(site: string, key: string, seam: AzureSeam): Promise<void> {
  const file = keyFileOf(site, seam);
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, key, { mode: 0o600 });
  await rename(tmp, file);
}

export async function forgetKey(site: string, seam: AzureSeam): Promise<void> {
  await rm(keyFileOf(site, seam), { force: true });
}

/** listHostKeys until it gives `functionKeys.default` (the host answers 400 or no keys while it starts). */
export async function fetchFunctionKey(s: AzureSession, rg: string, site: string, attempts = 8): Promise<string> {
  const { web } = await s.clients();
  let last = 'no function key yet';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    s.ctx.signal.throwIfAborted();
    try {
      const keys = await web.webApps.listHostKeys(rg, site, { abortSignal: s.ctx.signal });
      const key = keys.functionKeys?.default;
      if (key) {
        registerSecret(key);
        return key;
      }
    } catch (error) {
      s.ctx.signal.throwIfAborted();
      const e = azureErrorOf(error);
      if (e.status !== 400 && e.status !== 404 && (e.status ?? 500) < 500) throw s.explain(e, 'listHostKeys');
      last = e.message;
    }
    s.ctx.progress('waiting for the function keys', `attempt ${attempt} of ${attempts}`);
    await sleep(Math.min(pollMsOf(s.seam) * 2 ** (attempt - 1), 30_000), s.ctx.signal);
  }
  throw new KaggError(`Azure did not give the function key of ${site}: ${last}`, {
    code: 'AZURE_KEYS_UNAVAILABLE',
    action: 'run kagg deploy again in a minute (the host has not started yet)',
  });
}
