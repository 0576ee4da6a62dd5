/** The `cloud-run` target: a notebook as a container on Cloud Run, built by Cloud Build. */
import { readFileSync } from 'node:fs';
import { KaggError } from '@kagg/core/errors';
import { type DeployTarget, defineDeployTarget } from '@kagg/plugin-api';
import { type GcpSeam, resolveProject } from '../clients.js';
import { invocationOfGcf } from '../deploy.js';
import { deployToCloudRun, describeCloudRun, destroyCloudRun } from './deploy.js';
import {
  CLOUD_RUN_NAMING,
  CLOUD_RUN_RESERVED_ENV,
  type CloudRunOptions,
  cloudRunOptionsSchema,
  resolveCloudRunOptions,
} from './options.js';
import { packageForCloudRun } from './package.js';

const VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** Builds the target. Tests pass a seam (environment, short delays); kagg uses the defaults. */
export function createCloudRunTarget(seam: GcpSeam = {}): DeployTarget<CloudRunOptions> {
  return defineDeployTarget<CloudRunOptions>({
    id: 'cloud-run',
    title: 'Google Cloud Run (container, built by Cloud Build)',
    optionsSchema: cloudRunOptionsSchema,
    version: VERSION,
    naming: CLOUD_RUN_NAMING,
    async check({ options, env }) {
      resolveProject(resolveCloudRunOptions(options).project, seam);
      for (const key of Object.keys(env)) {
        if (CLOUD_RUN_RESERVED_ENV.includes(key)) {
          throw new KaggError(`--env ${key} is set by Cloud Run itself`, {
            code: 'GCP_RESERVED_ENV',
            exitCode: 2,
            action: `rename the variable (reserved: ${CLOUD_RUN_RESERVED_ENV.join(', ')})`,
          });
        }
      }
    },
    package: (bundle, options) => packageForCloudRun(bundle, options),
    deploy: (artifact, ctx) => deployToCloudRun(artifact, ctx, seam),
    destroy: (deployment, ctx) => destroyCloudRun(deployment, ctx, seam),
    describe: (deployment, ctx) => describeCloudRun(deployment, ctx, seam),
    invocation: (deployment) => invocationOfGcf(deployment, seam),
  });
}

export const cloudRunTarget: DeployTarget<CloudRunOptions> = createCloudRunTarget();
