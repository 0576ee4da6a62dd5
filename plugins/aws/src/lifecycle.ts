/** `describe`, `destroy` and `invocation` of the aws target. */
import { KaggError } from '@kagg/core/errors';
import type { Deployment, DeploymentStatus, Invocation, LogEvent, LogQuery, OperationContext } from '@kagg/plugin-api';
import { type AwsSeam, resolveRegion } from './clients.js';
import { isAwsError } from './errors.js';
import { deleteLogGroup, logGroupOf, readLogEvents } from './logs.js';
import { functionNameOf } from './options.js';
import { AwsSession, BASIC_EXECUTION_POLICY, INVOKE_SID, ROLE_NAME, URL_SID } from './session.js';
import { requestSigner } from './sign.js';

function functionNameFor(deployment: Deployment & { resourceName?: string }): string {
  const id = deployment.providerIds.functionName;
  return typeof id === 'string' && id !== '' ? id : (deployment.resourceName ?? functionNameOf(deployment.name));
}

/** The deployment's region; a deploy interrupted before it finished recorded it among its provider ids. */
function regionOf(deployment: Deployment): string | undefined {
  const recorded = deployment.providerIds.region;
  return deployment.region ?? (typeof recorded === 'string' ? recorded : undefined);
}

async function open(deployment: Deployment, ctx: Pick<OperationContext, 'progress' | 'signal'>, seam: AwsSeam) {
  const region = await resolveRegion(regionOf(deployment), seam);
  const s = await AwsSession.open(region, seam, ctx);
  await s.credentials().catch((error: unknown) => {
    s.close();
    throw error;
  });
  return s;
}

export async function describeLambda(
  deployment: Deployment,
  ctx: OperationContext,
  seam: AwsSeam,
): Promise<DeploymentStatus> {
  const s = await open(deployment, ctx, seam);
  try {
    const name = functionNameFor(deployment);
    const found = await s.getFunction(name);
    const c = found?.Configuration;
    if (!c) return { state: 'missing', detail: `no Lambda function ${name} in ${s.region}` };
    const summary = `${c.Runtime ?? '?'}, ${c.Architectures?.[0] ?? 'x86_64'}, ${c.MemorySize ?? '?'} MB, timeout ${c.Timeout ?? '?'} s`;
    if (c.State === 'Failed')
      return { state: 'failed', detail: `State Failed: ${c.StateReason ?? ''} (${c.StateReasonCode ?? ''})` };
    if (c.LastUpdateStatus === 'Failed') {
      return {
        state: 'failed',
        detail: `last update failed: ${c.LastUpdateStatusReason ?? ''} (${c.LastUpdateStatusReasonCode ?? ''})`,
      };
    }
    if (c.State === 'Pending' || c.LastUpdateStatus === 'InProgress') {
      return { state: 'pending', detail: `State ${c.State}, LastUpdateStatus ${c.LastUpdateStatus}; ${summary}` };
    }
    if (c.State === 'Inactive')
      return { state: 'stopped', detail: `State Inactive (idle for weeks; the next call wakes it); ${summary}` };
    const { GetFunctionUrlConfigCommand } = await import('@aws-sdk/client-lambda');
    const url = await s.call(
      'Lambda GetFunctionUrlConfig',
      () => s.clients.lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: name })),
      true,
    );
    if (!url?.FunctionUrl)
      return { state: 'failed', detail: `the function has no Function URL (run kagg deploy again); ${summary}` };
    return {
      state: 'ready',
      detail: `State ${c.State}, ${url.AuthType === 'NONE' ? 'public' : 'private (AWS_IAM)'} URL ${url.FunctionUrl}; ${summary}`,
    };
  } finally {
    s.close();
  }
}

/** `deleteRole` while other functions still run with the role would break them: refused, naming them. */
async function refuseSharedRole(s: AwsSession, functionName: string): Promise<void> {
  const { ListFunctionsCommand } = await import('@aws-sdk/client-lambda');
  const users: string[] = [];
  let marker: string | undefined;
  do {
    const page = await s.must('Lambda ListFunctions', () =>
      s.clients.lambda.send(new ListFunctionsCommand({ ...(marker ? { Marker: marker } : {}) })),
    );
    for (const f of page.Functions ?? []) {
      if (f.FunctionName !== functionName && f.Role?.endsWith(`/${ROLE_NAME}`)) users.push(f.FunctionName ?? '?');
    }
    marker = page.NextMarker;
  } while (marker);
  if (users.length > 0) {
    throw new KaggError(
      `refusing to delete the role ${ROLE_NAME}: ${users.length} other function(s) still use it (${users.join(', ')})`,
      {
        code: 'AWS_ROLE_IN_USE',
        action: 'destroy those endpoints first, or destroy this one without --set deleteRole=true',
      },
    );
  }
}

export async function logEventsLambda(
  deployment: Deployment,
  ctx: OperationContext,
  seam: AwsSeam,
  query: LogQuery,
): Promise<LogEvent[]> {
  const s = await open(deployment, ctx, seam);
  try {
    return await readLogEvents(s, functionNameFor(deployment), query);
  } finally {
    s.close();
  }
}

export interface DestroyOptions {
  /** Also remove the execution role kagg created (other kagg functions in the account use it too). */
  deleteRole?: boolean;
}

export async function destroyLambda(
  deployment: Deployment,
  ctx: OperationContext,
  seam: AwsSeam,
  options: DestroyOptions = {},
): Promise<void> {
  const s = await open(deployment, ctx, seam);
  try {
    const name = functionNameFor(deployment);
    const { DeleteFunctionUrlConfigCommand, RemovePermissionCommand, DeleteFunctionCommand } = await import(
      '@aws-sdk/client-lambda'
    );
    const lambda = s.clients.lambda;
    const deleteRole = options.deleteRole && deployment.providerIds.roleName === ROLE_NAME;
    // Checked before anything is removed: a refusal leaves the endpoint whole.
    if (deleteRole) await refuseSharedRole(s, name);
    ctx.progress('removing the Function URL', name);
    await s.call(
      'Lambda DeleteFunctionUrlConfig',
      () => lambda.send(new DeleteFunctionUrlConfigCommand({ FunctionName: name })),
      true,
    );
    ctx.progress('removing permissions', name);
    for (const sid of [URL_SID, INVOKE_SID]) {
      await s.call(
        'Lambda RemovePermission',
        () => lambda.send(new RemovePermissionCommand({ FunctionName: name, StatementId: sid })),
        true,
      );
    }
    ctx.progress('deleting the function', name);
    await s.call('Lambda DeleteFunction', () => lambda.send(new DeleteFunctionCommand({ FunctionName: name })), true);
    if (!ctx.keepLogs) {
      ctx.progress('deleting the log group', logGroupOf(name));
      await deleteLogGroup(s, name);
    }
    if (deleteRole) {
      const { DetachRolePolicyCommand, DeleteRoleCommand } = await import('@aws-sdk/client-iam');
      ctx.progress('deleting the execution role', ROLE_NAME);
      await s.call(
        'IAM DetachRolePolicy',
        () =>
          s.clients.iam.send(new DetachRolePolicyCommand({ RoleName: ROLE_NAME, PolicyArn: BASIC_EXECUTION_POLICY })),
        true,
      );
      try {
        await s.clients.iam.send(new DeleteRoleCommand({ RoleName: ROLE_NAME }));
      } catch (error) {
        if (!isAwsError(error, 'NoSuchEntityException', 'NoSuchEntity')) throw s.explain(error, 'IAM DeleteRole');
      }
    }
  } finally {
    s.close();
  }
}

export async function invocationOf(deployment: Deployment, seam: AwsSeam): Promise<Invocation> {
  if (deployment.auth === 'public') return { url: deployment.url, headers: {} };
  const region = await resolveRegion(regionOf(deployment), seam);
  const credentials = async () => {
    const s = await AwsSession.open(region, seam, { progress: () => {}, signal: new AbortController().signal });
    try {
      return await s.credentials();
    } finally {
      s.close();
    }
  };
  return { url: deployment.url, headers: {}, sign: requestSigner(region, credentials) };
}
