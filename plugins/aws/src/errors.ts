/** Turns AWS SDK errors into KaggErrors that say what went wrong and what to do. */
import { KaggError } from '@kagg/core/errors';
import { type AwsSeam, credentialSource, maskKeyId } from './clients.js';

const CREDENTIAL_ERRORS = new Set([
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'InvalidSignatureException',
  'ExpiredToken',
  'ExpiredTokenException',
  'MissingAuthenticationTokenException',
  'MissingAuthenticationToken',
]);

const DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'AuthorizationError']);

export function errorName(error: unknown): string {
  return (error as { name?: string })?.name ?? '';
}

export function isAwsError(error: unknown, ...names: string[]): boolean {
  return names.includes(errorName(error));
}

/** The endpoint override in effect, for messages: the seam's, else the SDK's variables. */
function endpointOf(seam: AwsSeam): string | undefined {
  const env = seam.env ?? process.env;
  return seam.endpoint ?? env.AWS_ENDPOINT_URL_LAMBDA ?? env.AWS_ENDPOINT_URL_IAM ?? env.AWS_ENDPOINT_URL;
}

export interface ErrorContext {
  seam: AwsSeam;
  /** The service call that failed, e.g. "Lambda CreateFunction". */
  operation: string;
  region?: string;
  accessKeyId?: string;
}

/** Wraps any failure of an AWS call; KaggErrors pass through unchanged. */
export function explainAwsError(error: unknown, ctx: ErrorContext): KaggError {
  if (error instanceof KaggError || errorName(error) === 'KaggError') return error as KaggError;
  const name = errorName(error);
  const message = (error as Error)?.message ?? String(error);
  const source = credentialSource(ctx.seam);
  const key = maskKeyId(ctx.accessKeyId);
  if (CREDENTIAL_ERRORS.has(name)) {
    return new KaggError(
      `AWS rejected the credentials from ${source}${key ? ` (access key ${key})` : ''}: ${message} (${ctx.operation}: ${name})`,
      {
        code: 'AWS_CREDENTIALS_INVALID',
        action:
          'check the access key and secret (or run `aws sso login` / pick another AWS_PROFILE), then run `kagg doctor`',
        cause: error,
      },
    );
  }
  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(message)) {
    return new KaggError(`no AWS credentials found in ${source}`, {
      code: 'AWS_CREDENTIALS_MISSING',
      action: 'set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or run `aws configure`',
      cause: error,
    });
  }
  if (DENIED.has(name)) {
    return new KaggError(`AWS denied ${ctx.operation} to ${source}${key ? ` (access key ${key})` : ''}: ${message}`, {
      code: 'AWS_ACCESS_DENIED',
      action:
        'the deploying identity needs lambda:*Function*, lambda:*FunctionUrlConfig, lambda:AddPermission/RemovePermission/GetPolicy, iam:GetRole/CreateRole/AttachRolePolicy/PassRole (or pass --set role=ARN)',
      cause: error,
    });
  }
  if (name === 'SyntaxError' || /Deserialization error|Unexpected token '?<|is not valid JSON/i.test(message)) {
    const endpoint = endpointOf(ctx.seam);
    const where = endpoint ? `the endpoint ${endpoint}` : `AWS in ${ctx.region ?? 'the configured region'}`;
    return new KaggError(
      `${where} answered ${ctx.operation} with something that is not an AWS answer (HTML or plain text, not JSON/XML)`,
      {
        code: 'AWS_BAD_ANSWER',
        action: endpoint
          ? `check AWS_ENDPOINT_URL* (${endpoint}): it does not point at an AWS API`
          : `check the region${ctx.region ? ` "${ctx.region}"` : ''} and any proxy between kagg and AWS`,
        cause: error,
      },
    );
  }
  const code = (error as { code?: string })?.code;
  if (
    ['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'ECONNRESET', 'EPIPE'].includes(code ?? '') ||
    name === 'TimeoutError'
  ) {
    const endpoint = endpointOf(ctx.seam);
    return new KaggError(
      `could not reach ${endpoint ?? 'AWS'} for ${ctx.operation}${ctx.region ? ` in ${ctx.region}` : ''}: ${message}`,
      {
        code: 'AWS_UNREACHABLE',
        action: 'check the network, the region, and any AWS_ENDPOINT_URL* variable',
        cause: error,
      },
    );
  }
  return new KaggError(`AWS ${ctx.operation} failed: ${message}${name && name !== 'Error' ? ` (${name})` : ''}`, {
    code: 'AWS_CALL_FAILED',
    cause: error,
  });
}
