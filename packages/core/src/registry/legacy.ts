/**
 * Import of the replaced tool's registry (`.kaggle_state/endpoints.json`): an object keyed by name,
 * each `{ url, provider, metadata, created_at }` with `created_at` in unix seconds. Providers map to
 * kagg targets: gcp-functions → gcp, aws-lambda → aws, modal → modal.
 */
import { readFile } from 'node:fs/promises';
import { KaggError, usageError } from '../errors/index.js';
import { endpointNameFrom } from '../naming/index.js';
import { compileSchema, describeErrors } from '../schema/index.js';
import type { EndpointRegistry } from './registry.js';
import { legacyRegistrySchema } from './schema.js';
import type { EndpointEntry } from './types.js';

const TARGETS: Record<string, string> = { 'gcp-functions': 'gcp', 'aws-lambda': 'aws', modal: 'modal' };

interface LegacyEntry {
  url: string;
  provider?: string;
  metadata?: Record<string, unknown> | null;
  created_at?: number | string | null;
}

export interface ImportResult {
  imported: string[];
  skipped: Array<{ name: string; reason: string }>;
}

function createdAt(value: LegacyEntry['created_at']): string {
  if (typeof value === 'number' && Number.isFinite(value)) return new Date(value * 1000).toISOString();
  if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return new Date(value).toISOString();
  return new Date().toISOString();
}

export async function importLegacyRegistry(
  registry: EndpointRegistry,
  file: string,
  options: { force?: boolean } = {},
): Promise<ImportResult> {
  let data: unknown;
  try {
    data = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw usageError(`no such file: ${file}`);
    throw new KaggError(`${file} is not valid JSON: ${(error as Error).message}`, { code: 'IMPORT_INVALID' });
  }
  const check = await compileSchema<Record<string, LegacyEntry>>(legacyRegistrySchema);
  if (!check(data)) {
    throw new KaggError(
      `${file} is not a kagg.py endpoints file ({"name": {"url", "provider", "metadata", "created_at"}}): ${describeErrors(check.errors).join('; ')}`,
      { code: 'IMPORT_INVALID' },
    );
  }
  const legacy = data;
  return registry.update((current) => {
    const result: ImportResult = { imported: [], skipped: [] };
    for (const [rawName, old] of Object.entries(legacy).sort(([a], [b]) => a.localeCompare(b))) {
      const name = endpointNameFrom(rawName);
      if (current.endpoints[name] && !options.force) {
        result.skipped.push({ name, reason: 'an endpoint with this name exists (use --force to replace it)' });
        continue;
      }
      const provider = old.provider ?? 'unknown';
      const metadata = old.metadata ?? {};
      const region = typeof metadata.region === 'string' ? metadata.region : undefined;
      const providerIds: Record<string, string> = {};
      for (const [k, v] of Object.entries(metadata)) {
        if ((typeof v === 'string' || typeof v === 'number') && k !== 'region') providerIds[k] = String(v);
      }
      const when = createdAt(old.created_at);
      const entry: EndpointEntry = {
        name,
        target: TARGETS[provider] ?? provider,
        url: old.url,
        auth: 'public',
        bundleHash: '',
        providerIds,
        source: `imported from ${file}${name === rawName ? '' : ` (as "${rawName}")`}`,
        createdAt: when,
        updatedAt: when,
        legacy: { provider, metadata },
        ...(region ? { region } : {}),
      };
      current.endpoints[name] = entry;
      result.imported.push(name);
    }
    return result;
  });
}
