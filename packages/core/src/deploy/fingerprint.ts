/**
 * What decides that a redeploy is unchanged: the whole deployment, not only the notebook. A sha256
 * over the bundle hash, the target id and plugin version, the Python runtime and adapters shipped
 * with kagg, the files of the target's plugin (its adapter among them: an upgraded or edited
 * adapter redeploys an unchanged notebook), the resolved settings (after the schema's defaults), the
 * resource name and the function's environment.
 * Environment values enter only through this hash, which is all the registry keeps of them.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { DeployTarget } from '@kagg/plugin-api';
import { RUNTIME_FILES, readRuntimeFile } from '../runtime/index.js';

let runtime: Promise<string> | undefined;

/** sha256 of every runtime file kagg ships (kagg_runtime.py and each target's adapter). */
export function runtimeDigest(): Promise<string> {
  runtime ??= (async () => {
    const hash = createHash('sha256');
    for (const file of [...RUNTIME_FILES].sort())
      hash
        .update(file)
        .update('\0')
        .update(await readRuntimeFile(file));
    return hash.digest('hex');
  })();
  return runtime;
}

const plugins = new Map<string, Promise<string>>();

/**
 * sha256 of what a plugin publishes: the entries of its package.json `files` (the whole folder
 * without one), `node_modules` and dot-folders left out, each file by its relative path and bytes.
 */
export function pluginDigest(root: string): Promise<string> {
  let digest = plugins.get(root);
  if (!digest) {
    digest = (async () => {
      const manifest = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as { files?: unknown };
      const entries = Array.isArray(manifest.files) ? manifest.files.filter((f) => typeof f === 'string') : ['.'];
      const found = new Set<string>(['package.json']);
      const walk = async (relative: string): Promise<void> => {
        const info = await stat(path.join(root, relative)).catch(() => undefined);
        if (info?.isFile()) found.add(relative.split(path.sep).join('/'));
        else if (info?.isDirectory())
          for (const name of await readdir(path.join(root, relative)))
            if (name !== 'node_modules' && !name.startsWith('.')) await walk(path.join(relative, name));
      };
      for (const entry of entries) await walk(path.normalize(entry));
      const hash = createHash('sha256');
      for (const file of [...found].sort())
        hash
          .update(file)
          .update('\0')
          .update(await readFile(path.join(root, file)))
          .update('\0');
      return hash.digest('hex');
    })();
    plugins.set(root, digest);
  }
  return digest;
}

/** JSON with sorted keys, so equal settings always give equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export interface FingerprintInput {
  bundleHash: string;
  target: Pick<DeployTarget, 'id' | 'version'>;
  /** Settings as `resolveTargetOptions` returns them: validated, the schema's defaults filled in. */
  options: Record<string, unknown>;
  env: Record<string, string>;
  /** The provider-safe resource name (a change of naming is a change of deployment). */
  resourceName: string;
  /** `pluginDigest` of the target's plugin, when kagg knows its folder. */
  plugin?: string;
}

export async function deploymentFingerprint(input: FingerprintInput): Promise<string> {
  const text = canonicalJson({
    v: 2,
    bundle: input.bundleHash,
    target: input.target.id,
    targetVersion: input.target.version ?? '',
    runtime: await runtimeDigest(),
    plugin: input.plugin ?? '',
    options: input.options,
    env: input.env,
    resourceName: input.resourceName,
  });
  return createHash('sha256').update(text).digest('hex');
}
