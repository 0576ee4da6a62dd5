/** The `gcp` deploy target: a notebook on Google Cloud Functions (2nd gen). */
import { readFileSync } from 'node:fs';
import { KaggError } from '@kagg/core/errors';
import { type DeployTarget, type DoctorCheck, defineDeployTarget } from '@kagg/plugin-api';
import { credentialSource, envOf, type GcpSeam, resolveProject } from './clients.js';
import { deployToGcf, describeGcf, destroyGcf, invocationOfGcf } from './deploy.js';
import { GCF_NAMING, type GcpOptions, gcpOptionsSchema, RESERVED_ENV_KEYS, resolveGcpOptions } from './options.js';
import { packageForGcf } from './package.js';

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string })
  .version;

async function doctor(seam: GcpSeam): Promise<DoctorCheck[]> {
  const env = envOf(seam);
  const project = env.GOOGLE_CLOUD_PROJECT ?? env.CLOUDSDK_CORE_PROJECT;
  const hasCreds = Boolean(env.KAGG_GCP_ACCESS_TOKEN || env.GOOGLE_APPLICATION_CREDENTIALS);
  return [
    {
      name: 'gcp: project',
      ok: true,
      warning: !project,
      detail: project ?? 'none: pass --set project=ID or set GOOGLE_CLOUD_PROJECT',
    },
    {
      name: 'gcp: credentials',
      ok: true,
      warning: !hasCreds,
      detail: hasCreds
        ? `from ${credentialSource(seam)}`
        : 'Application Default Credentials, if set up (`gcloud auth application-default login`)',
    },
  ];
}

/** Builds the target. Tests pass a seam (environment, short delays); kagg uses the defaults. */
export function createGcpTarget(seam: GcpSeam = {}): DeployTarget<GcpOptions> {
  return defineDeployTarget<GcpOptions>({
    id: 'gcp',
    title: 'Google Cloud Functions (2nd gen)',
    optionsSchema: gcpOptionsSchema,
    version: VERSION,
    naming: GCF_NAMING,
    async check({ options, env }) {
      const resolved = resolveGcpOptions(options);
      resolveProject(resolved.project, seam);
      for (const key of Object.keys(env)) {
        if (RESERVED_ENV_KEYS.includes(key)) {
          throw new KaggError(`--env ${key} is set by Cloud Functions itself`, {
            code: 'GCP_RESERVED_ENV',
            exitCode: 2,
            action: `rename the variable (reserved: ${RESERVED_ENV_KEYS.join(', ')})`,
          });
        }
      }
    },
    package: (bundle, options) => packageForGcf(bundle, options),
    deploy: (artifact, ctx) => deployToGcf(artifact, ctx, seam),
    destroy: (deployment, ctx) => destroyGcf(deployment, ctx, seam),
    describe: (deployment, ctx) => describeGcf(deployment, ctx, seam),
    invocation: (deployment) => invocationOfGcf(deployment, seam),
    doctor: () => doctor(seam),
  });
}

export const gcpTarget: DeployTarget<GcpOptions> = createGcpTarget();
