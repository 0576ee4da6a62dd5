/**
 * Settings of the aws target: the common flags (`--region --memory --timeout --public/--private`),
 * `--set key=value`, or `targets.aws` in the settings file. kagg validates them against
 * `awsOptionsSchema`; `resolveAwsOptions` fills in the defaults.
 */

import { resourceNameOf } from '@kagg/core/naming';
import type { FromSchema } from '@kagg/plugin-api';
import { RESERVED_ENV_KEYS } from './limits.js';

export type Architecture = 'x86_64' | 'arm64';
export type PythonRuntime = 'python3.12' | 'python3.13';

export interface ResolvedAwsOptions {
  region?: string;
  memory: number;
  timeout: number;
  architecture: Architecture;
  runtime: PythonRuntime;
  role?: string;
  environment: Record<string, string>;
  bucket?: string;
  public: boolean;
  ephemeralStorage: number;
  deleteRole: boolean;
}

export const DEFAULTS = {
  memory: 1024,
  timeout: 60,
  architecture: 'x86_64',
  runtime: 'python3.12',
  public: true,
  ephemeralStorage: 512,
  deleteRole: false,
} as const;

export const awsOptionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    region: { type: 'string', pattern: '^[a-z]{2}(-[a-z]+)+-\\d+$', description: 'AWS region, e.g. eu-west-1' },
    memory: { type: 'integer', minimum: 128, maximum: 10240, default: DEFAULTS.memory, description: 'MemorySize (MB)' },
    timeout: { type: 'integer', minimum: 1, maximum: 900, default: DEFAULTS.timeout, description: 'Timeout (seconds)' },
    architecture: { enum: ['x86_64', 'arm64'], default: DEFAULTS.architecture },
    runtime: { enum: ['python3.12', 'python3.13'], default: DEFAULTS.runtime },
    role: {
      type: 'string',
      pattern: '^arn:aws[a-z-]*:iam::\\d{12}:role/[\\w+=,.@/-]+$',
      description: 'execution role ARN (default: kagg creates and reuses kagg-lambda-execution)',
    },
    environment: {
      type: 'object',
      additionalProperties: { type: 'string' },
      propertyNames: { pattern: '^[A-Za-z][A-Za-z0-9_]*$', not: { enum: RESERVED_ENV_KEYS } },
      description: 'environment variables of the function',
    },
    bucket: {
      type: 'string',
      pattern: '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$',
      description: 'S3 bucket for packages over 50 MB',
    },
    public: {
      type: 'boolean',
      default: DEFAULTS.public,
      description: 'Function URL AuthType NONE (true) or AWS_IAM (false)',
    },
    ephemeralStorage: { type: 'integer', minimum: 512, maximum: 10240, default: DEFAULTS.ephemeralStorage },
    deleteRole: {
      type: 'boolean',
      default: DEFAULTS.deleteRole,
      description: 'destroy also removes the kagg-created role',
    },
  },
} as const;

/** The settings as TypeScript sees them: derived from the schema, written once. */
export type AwsOptions = FromSchema<typeof awsOptionsSchema>;

export function resolveAwsOptions(options: AwsOptions | Record<string, unknown> | undefined): ResolvedAwsOptions {
  const o = (options ?? {}) as AwsOptions;
  return {
    ...(o.region ? { region: o.region } : {}),
    memory: o.memory ?? DEFAULTS.memory,
    timeout: o.timeout ?? DEFAULTS.timeout,
    architecture: o.architecture ?? DEFAULTS.architecture,
    runtime: o.runtime ?? DEFAULTS.runtime,
    ...(o.role ? { role: o.role } : {}),
    environment: { ...(o.environment ?? {}) },
    ...(o.bucket ? { bucket: o.bucket } : {}),
    public: o.public ?? DEFAULTS.public,
    ephemeralStorage: o.ephemeralStorage ?? DEFAULTS.ephemeralStorage,
    deleteRole: o.deleteRole ?? DEFAULTS.deleteRole,
  };
}

/** Lambda names: up to 64 letters, digits, `-` and `_`; kagg's core shortens longer ones with a hash. */
export const LAMBDA_NAMING = { prefix: 'kagg-', maxLength: 64 } as const;

/** Lambda function name of an endpoint (what kagg's core passes as `ctx.resourceName`). */
export function functionNameOf(endpoint: string): string {
  return resourceNameOf(endpoint, LAMBDA_NAMING);
}
