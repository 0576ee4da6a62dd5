/**
 * Settings of the azure target: the common flags (`--region --memory --public/--private`),
 * `--set key=value`, or `targets.azure` in the settings file. `resolveAzureOptions` fills in defaults.
 */

import { KaggError } from '@kagg/core/errors';
import { resourceNameOf } from '@kagg/core/naming';
import type { FromSchema } from '@kagg/plugin-api';

export type PythonVersion = '3.11' | '3.12';

export interface ResolvedAzureOptions {
  subscription?: string;
  resourceGroup: string;
  region?: string;
  memory: 512 | 2048 | 4096;
  maxInstances: number;
  pythonVersion: PythonVersion;
  timeout: number;
  public: boolean;
  environment: Record<string, string>;
  deleteGroup: boolean;
}

export const DEFAULTS = {
  resourceGroup: 'kagg',
  memory: 2048,
  maxInstances: 100,
  pythonVersion: '3.12',
  timeout: 600,
  public: false,
  deleteGroup: false,
} as const;

/** App settings kagg sets itself, or that Flex Consumption rejects (contract §4.4). */
export const RESERVED_SETTINGS = [
  'AzureWebJobsStorage',
  'DEPLOYMENT_STORAGE_CONNECTION_STRING',
  'FUNCTIONS_WORKER_RUNTIME',
  'FUNCTIONS_EXTENSION_VERSION',
  'WEBSITE_RUN_FROM_PACKAGE',
  'SCM_DO_BUILD_DURING_DEPLOYMENT',
  'ENABLE_ORYX_BUILD',
];

export const azureOptionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    subscription: {
      type: 'string',
      pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
      description: 'Azure subscription id (default: AZURE_SUBSCRIPTION_ID)',
    },
    resourceGroup: {
      type: 'string',
      pattern: '^[-\\w._()]{1,89}[-\\w_()]$',
      default: DEFAULTS.resourceGroup,
      description: 'resource group, created if missing',
    },
    region: { type: 'string', pattern: '^[a-z][a-z0-9]{2,30}$', description: 'Azure region, e.g. westeurope' },
    memory: { enum: [512, 2048, 4096], default: DEFAULTS.memory, description: 'instance memory (MB)' },
    maxInstances: { type: 'integer', minimum: 40, maximum: 1000, default: DEFAULTS.maxInstances },
    pythonVersion: { enum: ['3.11', '3.12'], default: DEFAULTS.pythonVersion },
    timeout: {
      type: 'integer',
      minimum: 1,
      maximum: 14400,
      default: DEFAULTS.timeout,
      description: 'functionTimeout (s)',
    },
    public: {
      type: 'boolean',
      default: DEFAULTS.public,
      description: 'anonymous (true) or function key (false) auth level',
    },
    environment: {
      type: 'object',
      additionalProperties: { type: 'string' },
      propertyNames: { pattern: '^[A-Za-z][A-Za-z0-9_]*$', not: { enum: RESERVED_SETTINGS } },
      description: 'app settings of the function app',
    },
    deleteGroup: {
      type: 'boolean',
      default: DEFAULTS.deleteGroup,
      description: 'destroy also deletes the resource group kagg created',
    },
  },
} as const;

/** The settings as TypeScript sees them: derived from the schema, written once. */
export type AzureOptions = FromSchema<typeof azureOptionsSchema>;

export function resolveAzureOptions(options: AzureOptions | Record<string, unknown> | undefined): ResolvedAzureOptions {
  const o = (options ?? {}) as AzureOptions;
  return {
    ...(o.subscription ? { subscription: o.subscription } : {}),
    resourceGroup: o.resourceGroup ?? DEFAULTS.resourceGroup,
    ...(o.region ? { region: o.region } : {}),
    memory: (o.memory ?? DEFAULTS.memory) as ResolvedAzureOptions['memory'],
    maxInstances: o.maxInstances ?? DEFAULTS.maxInstances,
    pythonVersion: o.pythonVersion ?? DEFAULTS.pythonVersion,
    timeout: o.timeout ?? DEFAULTS.timeout,
    public: o.public ?? DEFAULTS.public,
    environment: { ...(o.environment ?? {}) },
    deleteGroup: o.deleteGroup ?? DEFAULTS.deleteGroup,
  };
}

/** Site names: 2–60 letters, digits and dashes, unique across Azure. */
export const SITE_NAMING = { prefix: 'kagg-', maxLength: 60 } as const;

export function siteNameOf(endpoint: string): string {
  return resourceNameOf(endpoint, SITE_NAMING);
}

/** `--env` may not set what kagg sets itself or what Flex Consumption rejects as an app setting. */
export function checkSettings(env: Record<string, string>): void {
  for (const key of Object.keys(env)) {
    if (RESERVED_SETTINGS.includes(key))
      throw new KaggError(`--env ${key}: kagg sets it, or Flex Consumption rejects it as an app setting`, {
        code: 'AZURE_RESERVED_SETTING',
        exitCode: 2,
        action: `remove --env ${key}`,
      });
  }
}
