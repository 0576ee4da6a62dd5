/**
 * One run of AWS calls: the clients, the seam, progress and cancellation, and the error mapping.
 * Each helper is one step of contract §2.1 and is safe to repeat.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { FunctionConfiguration, GetFunctionCommandOutput } from '@aws-sdk/client-lambda';
import { KaggError } from '@kagg/core/errors';
import type { OperationContext } from '@kagg/plugin-api';
import { type AwsClients, type AwsSeam, createClients, type Timing, timingOf } from './clients.js';
import { explainAwsError, isAwsError } from './errors.js';
import type { SigningCredentials } from './sign.js';

export const ROLE_NAME = 'kagg-lambda-execution';
export const BASIC_EXECUTION_POLICY = 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole';
export const TRUST_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});
/** Tags on everything kagg creates: `managed-by=kagg`, and `kagg-endpoint=NAME` on an endpoint's own resources. */
export const MANAGED_BY_TAG = 'managed-by';
export const ENDPOINT_TAG = 'kagg-endpoint';
/** Statement ids the console uses for a public Function URL (contract §2.6). */
export const URL_SID = 'FunctionURLAllowPublicAccess';
export const INVOKE_SID = 'FunctionURLAllowInvokeAction';

const NOT_FOUND = ['ResourceNotFoundException', 'NoSuchEntityException', 'NoSuchEntity'];

type Ctx = Pick<OperationContext, 'progress' | 'signal'>;

export class AwsSession {
  readonly clients: AwsClients;
  readonly seam: AwsSeam;
  readonly timing: Timing;
  readonly ctx: Ctx;
  private accessKeyId: string | undefined;

  private constructor(clients: AwsClients, seam: AwsSeam, ctx: Ctx) {
    this.clients = clients;
    this.seam = seam;
    this.ctx = ctx;
    this.timing = timingOf(seam);
  }

  static async open(region: string, seam: AwsSeam, ctx: Ctx): Promise<AwsSession> {
    return new AwsSession(await createClients(region, seam), seam, ctx);
  }

  get region(): string {
    return this.clients.region;
  }

  close(): void {
    this.clients.close();
  }

  /** Resolves the credentials once (the SDK's chain), so a missing one is reported before any call. */
  async credentials(): Promise<SigningCredentials> {
    try {
      const creds = await this.clients.lambda.config.credentials();
      this.accessKeyId = creds.accessKeyId;
      return {
        accessKeyId: creds.accessKeyId,
        secretAccessKey: creds.secretAccessKey,
        ...(creds.sessionToken ? { sessionToken: creds.sessionToken } : {}),
      };
    } catch (error) {
      throw this.explain(error, 'credential look-up');
    }
  }

  explain(error: unknown, operation: string): KaggError {
    return explainAwsError(error, {
      seam: this.seam,
      operation,
      region: this.region,
      ...(this.accessKeyId ? { accessKeyId: this.accessKeyId } : {}),
    });
  }

  /** Runs one call; a "not found" answer becomes `undefined` when `missingOk`. */
  async call<T>(operation: string, run: () => Promise<T>, missingOk = false): Promise<T | undefined> {
    this.ctx.signal.throwIfAborted();
    try {
      return await run();
    } catch (error) {
      if (missingOk && isAwsError(error, ...NOT_FOUND)) return undefined;
      throw this.explain(error, operation);
    }
  }

  async must<T>(operation: string, run: () => Promise<T>): Promise<T> {
    return (await this.call(operation, run)) as T;
  }

  async sleep(ms: number): Promise<void> {
    await sleep(ms, undefined, { signal: this.ctx.signal });
  }

  async getFunction(name: string): Promise<GetFunctionCommandOutput | undefined> {
    const { GetFunctionCommand } = await import('@aws-sdk/client-lambda');
    return this.call(
      'Lambda GetFunction',
      () => this.clients.lambda.send(new GetFunctionCommand({ FunctionName: name })),
      true,
    );
  }

  /**
   * The execution role: `kagg-lambda-execution` with AWSLambdaBasicExecutionRole attached. Converges:
   * a role found without the policy (an earlier run stopped between the two steps, or someone
   * detached it) gets it attached again, and the repair is reported. `written` lists what changed.
   */
  async ensureRole(): Promise<{ arn: string; written: string[] }> {
    const { GetRoleCommand, CreateRoleCommand, AttachRolePolicyCommand, ListAttachedRolePoliciesCommand } =
      await import('@aws-sdk/client-iam');
    const iam = this.clients.iam;
    const written: string[] = [];
    const found = await this.call('IAM GetRole', () => iam.send(new GetRoleCommand({ RoleName: ROLE_NAME })), true);
    let arn = found?.Role?.Arn;
    if (!arn) {
      this.ctx.progress('creating the execution role', ROLE_NAME);
      try {
        const created = await iam.send(
          new CreateRoleCommand({
            RoleName: ROLE_NAME,
            AssumeRolePolicyDocument: TRUST_POLICY,
            Description: 'Execution role of kagg endpoints on AWS Lambda (CloudWatch Logs only)',
            Tags: [{ Key: MANAGED_BY_TAG, Value: 'kagg' }],
          }),
        );
        arn = created.Role?.Arn;
        written.push('role');
      } catch (error) {
        if (!isAwsError(error, 'EntityAlreadyExistsException', 'EntityAlreadyExists'))
          throw this.explain(error, 'IAM CreateRole');
        const again = await this.must('IAM GetRole', () => iam.send(new GetRoleCommand({ RoleName: ROLE_NAME })));
        arn = again.Role?.Arn;
      }
    }
    if (!arn) throw new KaggError(`IAM did not return the ARN of the role ${ROLE_NAME}`, { code: 'AWS_CALL_FAILED' });
    const attached = await this.must('IAM ListAttachedRolePolicies', () =>
      iam.send(new ListAttachedRolePoliciesCommand({ RoleName: ROLE_NAME })),
    );
    if (!(attached.AttachedPolicies ?? []).some((p) => p.PolicyArn === BASIC_EXECUTION_POLICY)) {
      if (written.includes('role')) this.ctx.progress('attaching the execution policy', 'AWSLambdaBasicExecutionRole');
      else
        this.ctx.progress(
          'repairing the execution role',
          `${ROLE_NAME} lacked AWSLambdaBasicExecutionRole (CloudWatch Logs); attaching it`,
        );
      await this.must('IAM AttachRolePolicy', () =>
        iam.send(new AttachRolePolicyCommand({ RoleName: ROLE_NAME, PolicyArn: BASIC_EXECUTION_POLICY })),
      );
      written.push('role-policy');
    }
    return { arn, written };
  }

  private waiterConfig() {
    const minDelay = this.timing.pollMs / 1000;
    return {
      client: this.clients.lambda,
      maxWaitTime: Math.max(this.timing.waitMs / 1000, minDelay * 2),
      minDelay,
      maxDelay: Math.max(minDelay, Math.min(5, minDelay * 5)),
      abortSignal: this.ctx.signal,
    };
  }

  private async failure(name: string, what: string, error: unknown): Promise<KaggError> {
    this.ctx.signal.throwIfAborted();
    const current = await this.getFunction(name).catch(() => undefined);
    const c: FunctionConfiguration | undefined = current?.Configuration;
    const reason =
      c?.State === 'Failed'
        ? `${c.StateReason ?? 'failed'} (${c.StateReasonCode ?? 'Failed'})`
        : c?.LastUpdateStatus === 'Failed'
          ? `${c.LastUpdateStatusReason ?? 'failed'} (${c.LastUpdateStatusReasonCode ?? 'Failed'})`
          : `still ${c?.State ?? 'unknown'} / ${c?.LastUpdateStatus ?? 'unknown'} after ${Math.round(this.timing.waitMs / 1000)} s`;
    return new KaggError(`the function ${name} did not ${what}: ${reason}`, {
      code: 'AWS_FUNCTION_FAILED',
      action: 'run `kagg deploy` again; if it fails the same way, read the reason above in the Lambda console',
      cause: error,
    });
  }

  async waitActive(name: string): Promise<void> {
    const { waitUntilFunctionActiveV2 } = await import('@aws-sdk/client-lambda');
    try {
      await waitUntilFunctionActiveV2(this.waiterConfig(), { FunctionName: name });
    } catch (error) {
      throw await this.failure(name, 'become Active', error);
    }
  }

  async waitUpdated(name: string): Promise<void> {
    const { waitUntilFunctionUpdatedV2 } = await import('@aws-sdk/client-lambda');
    try {
      await waitUntilFunctionUpdatedV2(this.waiterConfig(), { FunctionName: name });
    } catch (error) {
      throw await this.failure(name, 'finish updating', error);
    }
  }

  /** An update that waits out a concurrent one (409) instead of reporting it. */
  async update<T>(name: string, operation: string, run: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      this.ctx.signal.throwIfAborted();
      try {
        return await run();
      } catch (error) {
        if (isAwsError(error, 'ResourceConflictException') && attempt < 10) {
          this.ctx.progress('waiting for an update in progress', name);
          await this.waitUpdated(name);
          continue;
        }
        throw this.explain(error, operation);
      }
    }
  }

  /**
   * CreateFunction, retried while Lambda cannot yet assume a new role (IAM is eventually
   * consistent: contract §2.1 step 4).
   */
  async createFunction<T>(run: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.timing.propagationMs;
    let delay = this.timing.pollMs;
    let told = false;
    for (;;) {
      this.ctx.signal.throwIfAborted();
      try {
        return await run();
      } catch (error) {
        const propagating =
          isAwsError(error, 'InvalidParameterValueException') && /cannot be assumed/i.test((error as Error).message);
        if (propagating && Date.now() + delay <= deadline) {
          if (!told) this.ctx.progress('waiting for the execution role to reach Lambda');
          told = true;
          await this.sleep(delay);
          delay = Math.min(delay * 2, this.timing.pollMs * 8);
          continue;
        }
        if (propagating) {
          throw new KaggError(
            `Lambda still cannot assume the execution role after ${Math.round(this.timing.propagationMs / 1000)} s: ${(error as Error).message}`,
            {
              code: 'AWS_ROLE_NOT_ASSUMABLE',
              action:
                'if you passed --set role=ARN, its trust policy must allow lambda.amazonaws.com to sts:AssumeRole; otherwise run `kagg deploy` again',
              cause: error,
            },
          );
        }
        throw this.explain(error, 'Lambda CreateFunction');
      }
    }
  }
}
