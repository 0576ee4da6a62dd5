/**
 * Provider-safe resource names, decided once for every target: `kagg-<endpoint>` (no second
 * `kagg-` when the endpoint's name already has one), cut to the provider's length with `-` and
 * eight hex digits of the full name's sha256 at the end when it is too long, so two long names that
 * share their beginning never share a resource. Endpoint names are lower-case letters, digits and
 * dashes, which every provider accepts.
 */
import { createHash } from 'node:crypto';
import type { ResourceNaming } from '@kagg/plugin-api';

export const DEFAULT_NAMING: Required<ResourceNaming> = { prefix: 'kagg-', maxLength: 63 };
const HASH_LENGTH = 8;

export function resourceNameOf(endpoint: string, naming: ResourceNaming = DEFAULT_NAMING): string {
  const prefix = naming.prefix ?? DEFAULT_NAMING.prefix;
  const full = endpoint.startsWith(prefix) ? endpoint : `${prefix}${endpoint}`;
  if (full.length <= naming.maxLength) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, HASH_LENGTH);
  const head = full.slice(0, naming.maxLength - HASH_LENGTH - 1).replace(/-+$/, '');
  return `${head}-${hash}`;
}
