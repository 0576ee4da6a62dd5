/** The `azure` deploy target: a notebook on Azure Functions, Flex Consumption, Python v2 model. */
import { readFileSync } from 'node:fs';
import { type DeployTarget, type DoctorCheck, defineDeployTarget } from '@kagg/plugin-api';
import { type AzureSeam, envOf } from './arm.js';
import { deployToAzure } from './deploy.js';
import { describeAzure, destroyAzure, invocationOf } from './lifecycle.js';
import { type AzureOptions, azureOptionsSchema, checkSettings, resolveAzureOptions, SITE_NAMING } from './options.js';
import { packageForAzure } from './package.js';

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string })
  .version;

async function doctor(seam: AzureSeam): Promise<DoctorCheck[]> {
  const env = envOf(seam);
  const credentials = env.KAGG_AZURE_ACCESS_TOKEN
    ? 'KAGG_AZURE_ACCESS_TOKEN'
    : env.AZURE_CLIENT_ID
      ? 'AZURE_CLIENT_ID (service principal or workload identity)'
      : 'DefaultAzureCredential (az login, azd, environment, managed identity)';
  return [
    {
      name: 'azure: subscription',
      ok: true,
      warning: !env.AZURE_SUBSCRIPTION_ID,
      detail: env.AZURE_SUBSCRIPTION_ID
        ? 'AZURE_SUBSCRIPTION_ID is set'
        : 'none: set AZURE_SUBSCRIPTION_ID or --set subscription=<id>',
    },
    { name: 'azure: credentials', ok: true, detail: `from ${credentials}` },
  ];
}

/** Builds the target. Tests pass a seam (environment, poll interval); kagg uses the defaults. */
export function createAzureTarget(seam: AzureSeam = {}): DeployTarget<AzureOptions> {
  return defineDeployTarget<AzureOptions>({
    id: 'azure',
    title: 'Azure Functions (Flex Consumption)',
    optionsSchema: azureOptionsSchema,
    version: VERSION,
    naming: SITE_NAMING,
    async check({ options, env }) {
      checkSettings({ ...resolveAzureOptions(options).environment, ...env });
    },
    package: (bundle, options) => packageForAzure(bundle, options),
    deploy: (artifact, ctx) => deployToAzure(artifact, ctx, seam),
    destroy: (deployment, ctx) => destroyAzure(deployment, ctx, seam),
    describe: (deployment, ctx) => describeAzure(deployment, ctx, seam),
    invocation: (deployment) => invocationOf(deployment, seam),
    doctor: () => doctor(seam),
  });
}

export const azureTarget: DeployTarget<AzureOptions> = createAzureTarget();
