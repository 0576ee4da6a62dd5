/**
 * Settings of the `cloud-run` target. The common flags (`--region --memory --timeout
 * --public/--private --env`) apply; what only a container service has is a `--set` key, because
 * `kagg deploy`'s flags are static and shared by every target: `--set image=REF` (deploy a pre-built
 * image, no build), `--set gpu=1`, `--set cpu=4`, `--set minInstances=1`, `--set maxInstances=20`,
 * `--set concurrency=80`. Or `targets.cloud-run` in the settings file.
 */
import { KaggError } from '@kagg/core/errors';
import { resourceNameOf } from '@kagg/core/naming';
import { GCP_PLACE_PROPERTIES, SERVICE_ACCOUNT_PROPERTY } from '../options.js';

export interface CloudRunOptions {
  /** Google Cloud project id; else GOOGLE_CLOUD_PROJECT or CLOUDSDK_CORE_PROJECT. */
  project?: string;
  region?: string;
  /** Memory in MiB (128–32768). Default 1024; 16384 at least with a GPU. */
  memory?: number;
  /** vCPUs: 1, 2, 4, 6 or 8. Default 1; 4 at least with a GPU. */
  cpu?: number;
  /** GPUs per instance (0 or 1; NVIDIA L4 unless gpuType says otherwise). */
  gpu?: number;
  gpuType?: string;
  /** Request timeout in seconds (1–3600). Default 300. */
  timeout?: number;
  minInstances?: number;
  maxInstances?: number;
  /** Requests one instance serves at once (1–1000). Default 80; 1 for a notebook that is not thread-safe. */
  concurrency?: number;
  /** A pre-built image to deploy instead of building the notebook (`REGION-docker.pkg.dev/...`). */
  image?: string;
  /** Runtime service account e-mail. */
  serviceAccount?: string;
  environment?: Record<string, string>;
  /** true (default): roles/run.invoker for allUsers; false: callers need an identity token. */
  public?: boolean;
}

export interface ResolvedCloudRunOptions {
  project?: string;
  region: string;
  memory: number;
  cpu: number;
  gpu: number;
  gpuType: string;
  timeout: number;
  minInstances: number;
  maxInstances: number;
  concurrency: number;
  image?: string;
  serviceAccount?: string;
  environment: Record<string, string>;
  public: boolean;
}

export const CLOUD_RUN_DEFAULTS = {
  region: 'us-central1',
  memory: 1024,
  cpu: 1,
  gpu: 0,
  gpuType: 'nvidia-l4',
  timeout: 300,
  minInstances: 0,
  maxInstances: 10,
  concurrency: 80,
  public: true,
} as const;

/** Variables Cloud Run sets itself and refuses to take from a deploy. */
export const CLOUD_RUN_RESERVED_ENV = ['PORT', 'K_SERVICE', 'K_REVISION', 'K_CONFIGURATION'];

export const cloudRunOptionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...GCP_PLACE_PROPERTIES,
    memory: { type: 'integer', minimum: 128, maximum: 32768, default: CLOUD_RUN_DEFAULTS.memory, description: 'MiB' },
    cpu: { enum: [1, 2, 4, 6, 8], default: CLOUD_RUN_DEFAULTS.cpu, description: 'vCPUs per instance' },
    gpu: { type: 'integer', minimum: 0, maximum: 1, default: CLOUD_RUN_DEFAULTS.gpu, description: 'GPUs per instance' },
    gpuType: { enum: ['nvidia-l4', 'nvidia-rtx-pro-6000'], default: CLOUD_RUN_DEFAULTS.gpuType },
    timeout: { type: 'integer', minimum: 1, maximum: 3600, default: CLOUD_RUN_DEFAULTS.timeout, description: 's' },
    minInstances: { type: 'integer', minimum: 0, maximum: 1000, default: CLOUD_RUN_DEFAULTS.minInstances },
    maxInstances: { type: 'integer', minimum: 1, maximum: 1000, default: CLOUD_RUN_DEFAULTS.maxInstances },
    concurrency: {
      type: 'integer',
      minimum: 1,
      maximum: 1000,
      default: CLOUD_RUN_DEFAULTS.concurrency,
      description: 'requests one instance serves at once',
    },
    image: {
      type: 'string',
      pattern: '^[a-z0-9.-]+(:[0-9]+)?/[a-z0-9._/-]+(:[A-Za-z0-9._-]+|@sha256:[a-f0-9]{64})$',
      description: 'deploy this pre-built image (no build)',
    },
    serviceAccount: SERVICE_ACCOUNT_PROPERTY,
    environment: {
      type: 'object',
      additionalProperties: { type: 'string' },
      propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_]*$', not: { enum: CLOUD_RUN_RESERVED_ENV } },
      description: 'environment variables of the service',
    },
    public: {
      type: 'boolean',
      default: CLOUD_RUN_DEFAULTS.public,
      description: 'allUsers may invoke (true) or only callers with an identity token (false)',
    },
  },
} as const;

function bad(message: string, action: string): KaggError {
  return new KaggError(message, { code: 'CLOUD_RUN_BAD_OPTIONS', exitCode: 2, action });
}

export function resolveCloudRunOptions(options: CloudRunOptions | Record<string, unknown> | undefined) {
  const o = (options ?? {}) as CloudRunOptions;
  const d = CLOUD_RUN_DEFAULTS;
  const resolved: ResolvedCloudRunOptions = {
    ...(o.project ? { project: o.project } : {}),
    region: o.region ?? d.region,
    memory: o.memory ?? d.memory,
    cpu: o.cpu ?? d.cpu,
    gpu: o.gpu ?? d.gpu,
    gpuType: o.gpuType ?? d.gpuType,
    timeout: o.timeout ?? d.timeout,
    minInstances: o.minInstances ?? d.minInstances,
    maxInstances: o.maxInstances ?? d.maxInstances,
    concurrency: o.concurrency ?? d.concurrency,
    ...(o.image ? { image: o.image } : {}),
    ...(o.serviceAccount ? { serviceAccount: o.serviceAccount } : {}),
    environment: { ...(o.environment ?? {}) },
    public: o.public ?? d.public,
  };
  if (resolved.minInstances > resolved.maxInstances)
    throw bad(
      `minInstances (${resolved.minInstances}) is above maxInstances (${resolved.maxInstances})`,
      'lower --set minInstances or raise --set maxInstances',
    );
  if (resolved.gpu > 0 && (resolved.cpu < 4 || resolved.memory < 16384))
    throw bad(
      `a Cloud Run GPU needs at least 4 vCPUs and 16 GiB of memory (asked: ${resolved.cpu} vCPU, ${resolved.memory} MiB)`,
      'add --set cpu=4 --memory 16384 (or more)',
    );
  if (resolved.memory > 4096 * resolved.cpu)
    throw bad(
      `${resolved.memory} MiB needs more vCPUs than ${resolved.cpu} (Cloud Run allows 4 GiB per vCPU)`,
      `add --set cpu=${[2, 4, 6, 8].find((c) => c * 4096 >= resolved.memory) ?? 8}`,
    );
  return resolved;
}

/** Service ids: lower-case letters, digits and `-`, starting with a letter, at most 49. */
export const CLOUD_RUN_NAMING = { prefix: 'kagg-', maxLength: 49 } as const;

export function serviceIdOf(endpoint: string): string {
  return resourceNameOf(endpoint, CLOUD_RUN_NAMING);
}
