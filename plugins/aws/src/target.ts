/** The `aws` deploy target: a notebook on AWS Lambda behind a Function URL. */

import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { type DeployTarget, type DoctorCheck, defineDeployTarget, type OperationContext } from '@kagg/plugin-api';
import { type AwsSeam, credentialSource, resolveRegion } from './clients.js';
import { deployToLambda } from './deploy.js';
import { describeLambda, destroyLambda, invocationOf, logEventsLambda } from './lifecycle.js';
import { checkEnvironment, checkFunctionName, checkRegion } from './limits.js';
import { type AwsOptions, awsOptionsSchema, LAMBDA_NAMING, resolveAwsOptions } from './options.js';
import { packageForLambda } from './package.js';

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string })
  .version;

function pipVersion(python: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(python, ['-m', 'pip', '--version'], { timeout: 20_000 }, (error, stdout) =>
      resolve(error ? undefined : stdout.trim()),
    );
  });
}

async function doctor(seam: AwsSeam): Promise<DoctorCheck[]> {
  const env = seam.env ?? process.env;
  const python = seam.python ?? env.KAGG_PYTHON ?? 'python3';
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION;
  const credentialsFile = env.AWS_SHARED_CREDENTIALS_FILE ?? path.join(homedir(), '.aws', 'credentials');
  const configFile = env.AWS_CONFIG_FILE ?? path.join(homedir(), '.aws', 'config');
  const hasCreds = Boolean(
    seam.credentials ||
      env.AWS_ACCESS_KEY_ID ||
      env.AWS_PROFILE ||
      existsSync(credentialsFile) ||
      existsSync(configFile),
  );
  const pip = await pipVersion(python);
  return [
    {
      name: 'aws: region',
      ok: Boolean(region) || existsSync(configFile),
      detail: region
        ? `AWS_REGION ${region}`
        : existsSync(configFile)
          ? `from ${configFile} if the profile sets one`
          : 'none: pass --region or set AWS_REGION',
    },
    {
      name: 'aws: credentials',
      ok: hasCreds,
      detail: hasCreds
        ? `from ${credentialSource(seam)}`
        : 'none found: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE, or run `aws configure`',
    },
    {
      name: 'aws: pip (vendoring Linux wheels)',
      ok: pip !== undefined,
      detail: pip ?? `${python} -m pip is not available`,
    },
  ];
}

/** Builds the target. Tests pass a seam (credentials, endpoint, short delays); kagg uses the defaults. */
export function createAwsTarget(seam: AwsSeam = {}): DeployTarget<AwsOptions> {
  return defineDeployTarget<AwsOptions>({
    id: 'aws',
    title: 'AWS Lambda (Function URL)',
    optionsSchema: awsOptionsSchema,
    version: VERSION,
    naming: LAMBDA_NAMING,
    async check({ resourceName, options, env }) {
      checkFunctionName(resourceName);
      const resolved = resolveAwsOptions(options);
      checkEnvironment({ ...resolved.environment, ...env });
      await checkRegion(await resolveRegion(resolved.region, seam));
    },
    package: (bundle, options) => packageForLambda(bundle, options, seam),
    deploy: (artifact, ctx) => deployToLambda(artifact, ctx, seam),
    destroy: (deployment, ctx: OperationContext) =>
      destroyLambda(deployment, ctx, seam, { deleteRole: ctx.options?.deleteRole === true }),
    describe: (deployment, ctx) => describeLambda(deployment, ctx, seam),
    invocation: (deployment) => invocationOf(deployment, seam),
    logEvents: (deployment, ctx, query) => logEventsLambda(deployment, ctx, seam, query),
    doctor: () => doctor(seam),
  });
}

export const awsTarget: DeployTarget<AwsOptions> = createAwsTarget();
