/**
 * `deploy` for the aws target (contract §2.1): role, function (create, or update code then
 * configuration with a wait after each), Function URL, both permissions, then a health call.
 * Every step compares with what is there first and repairs what is missing, so an unchanged
 * deployment makes no write at all, a settings-only change updates only the configuration, and a
 * deploy interrupted between two steps is finished by the next one. The result lists what was written.
 */
import { createHash } from 'node:crypto';
import type { FunctionCode, FunctionConfiguration } from '@aws-sdk/client-lambda';
import { registerSecret } from '@kagg/core/config';
import { KaggError } from '@kagg/core/errors';
import type { Artifact, DeployContext, Deployment } from '@kagg/plugin-api';
import { type AwsLimits, type AwsSeam, limitsOf, resolveRegion } from './clients.js';
import { waitUntilAnswering } from './health.js';
import { checkEnvironment, checkRegion } from './limits.js';
import { ensureLogGroup, logGroupOf } from './logs.js';
import { type AwsOptions, functionNameOf, type ResolvedAwsOptions, resolveAwsOptions } from './options.js';
import { checkUnzippedSize, HANDLER, megabytes } from './package.js';
import { AwsSession, ENDPOINT_TAG, INVOKE_SID, MANAGED_BY_TAG, ROLE_NAME, URL_SID } from './session.js';
import { requestSigner } from './sign.js';

interface DesiredConfig {
  Role: string;
  Runtime: ResolvedAwsOptions['runtime'];
  Handler: string;
  MemorySize: number;
  Timeout: number;
  Environment: { Variables: Record<string, string> };
  EphemeralStorage: { Size: number };
}

function sameVariables(a: Record<string, string> | undefined, b: Record<string, string>): boolean {
  const left = a ?? {};
  const keys = new Set([...Object.keys(left), ...Object.keys(b)]);
  for (const k of keys) if (left[k] !== b[k]) return false;
  return true;
}

/** The configuration fields that differ from what is wanted (empty: nothing to update). */
export function configChanges(current: FunctionConfiguration, desired: DesiredConfig): string[] {
  const changes: string[] = [];
  if (current.Role !== desired.Role) changes.push('role');
  if (current.Runtime !== desired.Runtime) changes.push('runtime');
  if (current.Handler !== desired.Handler) changes.push('handler');
  if (current.MemorySize !== desired.MemorySize) changes.push('memory');
  if (current.Timeout !== desired.Timeout) changes.push('timeout');
  if ((current.EphemeralStorage?.Size ?? 512) !== desired.EphemeralStorage.Size) changes.push('ephemeral storage');
  if (!sameVariables(current.Environment?.Variables, desired.Environment.Variables)) changes.push('environment');
  return changes;
}

/** base64 sha256 of the zip: what Lambda reports as CodeSha256. */
export function codeSha256(zip: Uint8Array): string {
  return createHash('sha256').update(zip).digest('base64');
}

async function codeSource(
  s: AwsSession,
  artifact: Artifact,
  functionName: string,
  options: ResolvedAwsOptions,
  limits: AwsLimits,
): Promise<FunctionCode> {
  if (artifact.zip.byteLength <= limits.zipBytes) return { ZipFile: artifact.zip };
  const bucket = options.bucket as string;
  const key = `kagg/${functionName}/${createHash('sha256').update(artifact.zip).digest('hex')}.zip`;
  s.ctx.progress('uploading the package to S3', `s3://${bucket}/${key} (${megabytes(artifact.zip.byteLength)})`);
  const { PutObjectCommand } = await import('@aws-sdk/client-s3');
  const s3 = await s.clients.s3();
  await s.must('S3 PutObject', () =>
    s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: artifact.zip, ContentType: 'application/zip' })),
  );
  return { S3Bucket: bucket, S3Key: key };
}

async function ensureUrl(
  s: AwsSession,
  functionName: string,
  authType: 'NONE' | 'AWS_IAM',
  written: Set<string>,
): Promise<string> {
  const { GetFunctionUrlConfigCommand, CreateFunctionUrlConfigCommand, UpdateFunctionUrlConfigCommand } = await import(
    '@aws-sdk/client-lambda'
  );
  const lambda = s.clients.lambda;
  const get = () =>
    s.call(
      'Lambda GetFunctionUrlConfig',
      () => lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: functionName })),
      true,
    );
  let current = await get();
  if (!current) {
    s.ctx.progress('creating the Function URL', authType);
    try {
      const created = await lambda.send(
        new CreateFunctionUrlConfigCommand({ FunctionName: functionName, AuthType: authType, InvokeMode: 'BUFFERED' }),
      );
      written.add('url');
      if (created.FunctionUrl) return created.FunctionUrl;
    } catch (error) {
      const { isAwsError } = await import('./errors.js');
      if (!isAwsError(error, 'ResourceConflictException')) throw s.explain(error, 'Lambda CreateFunctionUrlConfig');
    }
    current = await get();
    if (!current?.FunctionUrl)
      throw new KaggError(`Lambda did not return a Function URL for ${functionName}`, { code: 'AWS_CALL_FAILED' });
  }
  if (current.AuthType !== authType) {
    s.ctx.progress('updating the Function URL', `${current.AuthType} → ${authType}`);
    await s.must('Lambda UpdateFunctionUrlConfig', () =>
      lambda.send(new UpdateFunctionUrlConfigCommand({ FunctionName: functionName, AuthType: authType })),
    );
    written.add('auth');
  }
  return current.FunctionUrl as string;
}

/** Sids present in the function's resource policy. */
export async function policySids(s: AwsSession, functionName: string): Promise<Set<string>> {
  const { GetPolicyCommand } = await import('@aws-sdk/client-lambda');
  const policy = await s.call(
    'Lambda GetPolicy',
    () => s.clients.lambda.send(new GetPolicyCommand({ FunctionName: functionName })),
    true,
  );
  if (!policy?.Policy) return new Set();
  const doc = JSON.parse(policy.Policy) as { Statement?: Array<{ Sid?: string }> };
  return new Set((doc.Statement ?? []).map((st) => st.Sid ?? ''));
}

/** Public: both statements of contract §2.6. Private: neither (an AWS_IAM URL needs no resource grant). */
async function ensurePermissions(
  s: AwsSession,
  functionName: string,
  isPublic: boolean,
  written: Set<string>,
): Promise<void> {
  const { AddPermissionCommand, RemovePermissionCommand } = await import('@aws-sdk/client-lambda');
  const { isAwsError } = await import('./errors.js');
  const lambda = s.clients.lambda;
  const sids = await policySids(s, functionName);
  if (isPublic) {
    const wanted = [
      {
        StatementId: URL_SID,
        Action: 'lambda:InvokeFunctionUrl',
        Principal: '*',
        FunctionUrlAuthType: 'NONE' as const,
      },
      { StatementId: INVOKE_SID, Action: 'lambda:InvokeFunction', Principal: '*', InvokedViaFunctionUrl: true },
    ];
    for (const statement of wanted) {
      if (sids.has(statement.StatementId)) continue;
      s.ctx.progress('granting public access', statement.Action);
      try {
        await lambda.send(new AddPermissionCommand({ FunctionName: functionName, ...statement }));
        written.add('auth');
      } catch (error) {
        if (!isAwsError(error, 'ResourceConflictException')) throw s.explain(error, 'Lambda AddPermission');
      }
    }
    return;
  }
  for (const sid of [URL_SID, INVOKE_SID]) {
    if (!sids.has(sid)) continue;
    s.ctx.progress('removing public access', sid);
    await s.call(
      'Lambda RemovePermission',
      () => lambda.send(new RemovePermissionCommand({ FunctionName: functionName, StatementId: sid })),
      true,
    );
    written.add('auth');
  }
}

/** Tags on every resource kagg creates for an endpoint. */
export function endpointTags(endpoint: string): Record<string, string> {
  return { [MANAGED_BY_TAG]: 'kagg', [ENDPOINT_TAG]: endpoint };
}

/**
 * A function with the endpoint's name that this endpoint did not create is refused, unless
 * `--adopt`; one deployed by this endpoint before kagg tagged its resources (the registry knows it)
 * is tagged now. Returns whether tags were written.
 */
async function ensureOwnership(
  s: AwsSession,
  ctx: DeployContext<AwsOptions>,
  functionName: string,
  arn: string,
  tags: Record<string, string> | undefined,
): Promise<boolean> {
  const owner = tags?.[ENDPOINT_TAG];
  if (owner === ctx.name && tags?.[MANAGED_BY_TAG] === 'kagg') return false;
  const ours = owner === undefined && ctx.previous?.providerIds.functionName === functionName;
  if (!ours && !ctx.adopt) {
    throw new KaggError(
      `a Lambda function named ${functionName} already exists in ${s.region} and kagg did not create it for the endpoint "${ctx.name}"${owner ? ` (it belongs to the kagg endpoint "${owner}")` : ''}`,
      {
        code: 'AWS_NAME_TAKEN',
        action: `choose another --name, or take the function over with --adopt (its code and settings will be replaced)`,
      },
    );
  }
  ctx.progress(ours ? 'tagging the function' : 'adopting the function', functionName);
  const { TagResourceCommand } = await import('@aws-sdk/client-lambda');
  await s.must('Lambda TagResource', () =>
    s.clients.lambda.send(new TagResourceCommand({ Resource: arn, Tags: endpointTags(ctx.name) })),
  );
  return true;
}

export async function deployToLambda(
  artifact: Artifact,
  ctx: DeployContext<AwsOptions>,
  seam: AwsSeam,
): Promise<Deployment> {
  const options = resolveAwsOptions(ctx.options);
  const limits = limitsOf(seam);
  const functionName = ctx.resourceName ?? functionNameOf(ctx.name);
  const variables = { ...options.environment, ...ctx.env };
  for (const value of Object.values(variables)) registerSecret(value);
  checkEnvironment(variables);
  checkUnzippedSize(artifact.files, limits);
  if (artifact.zip.byteLength > limits.zipBytes && !options.bucket) {
    throw new KaggError(
      `the Lambda package is ${megabytes(artifact.zip.byteLength)} zipped, over the ${megabytes(limits.zipBytes)} Lambda accepts inline, and no S3 bucket is set for staging it`,
      {
        code: 'AWS_BUCKET_REQUIRED',
        exitCode: 2,
        action:
          'pass --set bucket=NAME (an S3 bucket in the same region), or set targets.aws.bucket in the kagg config file',
      },
    );
  }
  const region = await checkRegion(await resolveRegion(options.region, seam));
  const written = new Set<string>();
  const s = await AwsSession.open(region, seam, ctx);
  try {
    ctx.progress('checking AWS credentials', region);
    const credentials = await s.credentials();
    ctx.progress('looking up the function', functionName);
    const existing = await s.getFunction(functionName);
    if (existing?.Configuration?.FunctionArn) {
      const tagged = await ensureOwnership(s, ctx, functionName, existing.Configuration.FunctionArn, existing.Tags);
      if (tagged) written.add('tags');
    }
    await ctx.record?.({ functionName, region });
    let roleArn = options.role;
    let roleManaged = false;
    if (!roleArn) {
      ctx.progress('checking the execution role', ROLE_NAME);
      const role = await s.ensureRole();
      for (const part of role.written) written.add(part);
      roleArn = role.arn;
      roleManaged = true;
      await ctx.record?.({ roleArn, roleName: ROLE_NAME });
    }
    const desired: DesiredConfig = {
      Role: roleArn,
      Runtime: options.runtime,
      Handler: HANDLER,
      MemorySize: options.memory,
      Timeout: options.timeout,
      Environment: { Variables: variables },
      EphemeralStorage: { Size: options.ephemeralStorage },
    };
    const { CreateFunctionCommand, UpdateFunctionCodeCommand, UpdateFunctionConfigurationCommand } = await import(
      '@aws-sdk/client-lambda'
    );
    const lambda = s.clients.lambda;
    let functionArn: string | undefined;
    if (!existing?.Configuration) {
      ctx.progress('creating the log group', logGroupOf(functionName));
      if (await ensureLogGroup(s, functionName, endpointTags(ctx.name))) written.add('logs');
      const code = await codeSource(s, artifact, functionName, options, limits);
      ctx.progress(
        'creating the function',
        `${functionName} (${options.runtime}, ${options.architecture}, ${options.memory} MB)`,
      );
      const created = await s.createFunction(() =>
        lambda.send(
          new CreateFunctionCommand({
            FunctionName: functionName,
            ...desired,
            Code: code,
            PackageType: 'Zip',
            Architectures: [options.architecture],
            Description: `kagg endpoint ${ctx.name}`,
            Tags: endpointTags(ctx.name),
          }),
        ),
      );
      written.add('code').add('config');
      functionArn = created.FunctionArn;
      if (functionArn) await ctx.record?.({ functionArn });
      ctx.progress('waiting for the function to become Active');
      await s.waitActive(functionName);
    } else {
      const current = existing.Configuration;
      functionArn = current.FunctionArn;
      if (current.State === 'Pending') {
        ctx.progress('waiting for the function to become Active');
        await s.waitActive(functionName);
      } else if (current.LastUpdateStatus === 'InProgress') {
        ctx.progress('waiting for an update in progress', functionName);
        await s.waitUpdated(functionName);
      }
      const sameArch = (current.Architectures?.[0] ?? 'x86_64') === options.architecture;
      if (current.CodeSha256 !== codeSha256(artifact.zip) || !sameArch) {
        const code = await codeSource(s, artifact, functionName, options, limits);
        ctx.progress('updating the code', functionName);
        await s.update(functionName, 'Lambda UpdateFunctionCode', () =>
          lambda.send(
            new UpdateFunctionCodeCommand({
              FunctionName: functionName,
              ...code,
              Architectures: [options.architecture],
            }),
          ),
        );
        written.add('code');
        ctx.progress('waiting for the code update');
        await s.waitUpdated(functionName);
      } else {
        ctx.progress('code unchanged', functionName);
      }
      const after = (await s.getFunction(functionName))?.Configuration ?? current;
      const changes = configChanges(after, desired);
      if (changes.length > 0) {
        ctx.progress('updating the configuration', changes.join(', '));
        await s.update(functionName, 'Lambda UpdateFunctionConfiguration', () =>
          lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: functionName, ...desired })),
        );
        written.add('config');
        ctx.progress('waiting for the configuration update');
        await s.waitUpdated(functionName);
      }
    }
    ctx.progress('checking the Function URL');
    const url = await ensureUrl(s, functionName, options.public ? 'NONE' : 'AWS_IAM', written);
    ctx.progress('checking permissions');
    await ensurePermissions(s, functionName, options.public, written);
    ctx.progress('waiting for the endpoint to answer', url);
    await waitUntilAnswering({
      url,
      ...(options.public ? {} : { sign: requestSigner(region, async () => credentials) }),
      deadlineMs: s.timing.healthMs,
      pollMs: s.timing.pollMs,
      signal: ctx.signal,
      functionName,
    });
    return {
      target: 'aws',
      name: ctx.name,
      url,
      auth: options.public ? 'public' : 'private',
      bundleHash: artifact.bundle.hash,
      region,
      providerIds: {
        functionName,
        functionArn: functionArn ?? '',
        roleArn,
        region,
        ...(roleManaged ? { roleName: ROLE_NAME } : {}),
      },
      written: [...written],
    };
  } finally {
    s.close();
  }
}
