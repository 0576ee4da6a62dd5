/**
 * Settings of the gcp target: the common flags (`--region --memory --timeout --public/--private`),
 * `--set key=value`, or `targets.gcp` in the settings file. kagg validates them against
 * `gcpOptionsSchema`; `resolveGcpOptions` fills in the defaults.
 */

import { KaggError } from '@kagg/core/errors';
import { resourceNameOf } from '@kagg/core/naming';
import type { FromSchema } from '@kagg/plugin-api';

export type GcpRuntime = 'python312' | 'python313';

export interface ResolvedGcpOptions {
  project?: string;
  region: string;
  memory: number;
  timeout: number;
  maxInstances: number;
  minInstances: number;
  runtime: GcpRuntime;
  serviceAccount?: string;
  environment: Record<string, string>;
  public: boolean;
}

export const DEFAULTS = {
  region: 'us-central1',
  memory: 1024,
  timeout: 60,
  maxInstances: 10,
  minInstances: 0,
  runtime: 'python312',
  public: true,
} as const;

/** Variables Cloud Functions sets itself and refuses to take from a deploy. */
export const RESERVED_ENV_KEYS = ['FUNCTION_TARGET', 'FUNCTION_SIGNATURE_TYPE', 'K_SERVICE', 'K_REVISION', 'PORT'];

/** Schema properties both Google targets (gcp, cloud-run) take the same way. */
export const GCP_PLACE_PROPERTIES = {
  project: {
    type: 'string',
    pattern: '^[a-z][a-z0-9-]{4,28}[a-z0-9]$',
    description: 'Google Cloud project id (else GOOGLE_CLOUD_PROJECT / CLOUDSDK_CORE_PROJECT)',
  },
  region: { type: 'string', pattern: '^[a-z]+-[a-z]+\\d+$', description: 'region, e.g. europe-west1' },
} as const;
export const SERVICE_ACCOUNT_PROPERTY = {
  type: 'string',
  pattern: '^[a-z0-9-]+@[a-z0-9.-]+\\.iam\\.gserviceaccount\\.com$|^\\d+-compute@developer\\.gserviceaccount\\.com$',
  description: 'runtime service account e-mail',
} as const;

export const gcpOptionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...GCP_PLACE_PROPERTIES,
    memory: { type: 'integer', minimum: 128, maximum: 32768, default: DEFAULTS.memory, description: 'memory (MiB)' },
    timeout: { type: 'integer', minimum: 1, maximum: 3600, default: DEFAULTS.timeout, description: 'timeout (s)' },
    maxInstances: { type: 'integer', minimum: 1, maximum: 1000, default: DEFAULTS.maxInstances },
    minInstances: { type: 'integer', minimum: 0, maximum: 1000, default: DEFAULTS.minInstances },
    runtime: { enum: ['python312', 'python313'], default: DEFAULTS.runtime },
    serviceAccount: SERVICE_ACCOUNT_PROPERTY,
    environment: {
      type: 'object',
      additionalProperties: { type: 'string' },
      propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_]*$', not: { enum: RESERVED_ENV_KEYS } },
      description: 'environment variables of the function',
    },
    public: {
      type: 'boolean',
      default: DEFAULTS.public,
      description: 'allUsers may invoke (true) or only callers with an identity token (false)',
    },
  },
} as const;

/** The settings as TypeScript sees them: derived from the schema, written once. */
export type GcpOptions = FromSchema<typeof gcpOptionsSchema>;

export function resolveGcpOptions(options: GcpOptions | Record<string, unknown> | undefined): ResolvedGcpOptions {
  const o = (options ?? {}) as GcpOptions;
  const resolved: ResolvedGcpOptions = {
    ...(o.project ? { project: o.project } : {}),
    region: o.region ?? DEFAULTS.region,
    memory: o.memory ?? DEFAULTS.memory,
    timeout: o.timeout ?? DEFAULTS.timeout,
    maxInstances: o.maxInstances ?? DEFAULTS.maxInstances,
    minInstances: o.minInstances ?? DEFAULTS.minInstances,
    runtime: o.runtime ?? DEFAULTS.runtime,
    ...(o.serviceAccount ? { serviceAccount: o.serviceAccount } : {}),
    environment: { ...(o.environment ?? {}) },
    public: o.public ?? DEFAULTS.public,
  };
  if (resolved.minInstances > resolved.maxInstances) {
    throw new KaggError(`minInstances (${resolved.minInstances}) is above maxInstances (${resolved.maxInstances})`, {
      code: 'GCP_BAD_OPTIONS',
      exitCode: 2,
      action: 'lower --set minInstances or raise --set maxInstances',
    });
  }
  return resolved;
}

/** Function ids: lower-case letters, digits and `-`, starting with a letter, at most 63 (contract §3.3). */
export const GCF_NAMING = { prefix: 'kagg-', maxLength: 63 } as const;

export function functionIdOf(endpoint: string): string {
  return resourceNameOf(endpoint, GCF_NAMING);
}
