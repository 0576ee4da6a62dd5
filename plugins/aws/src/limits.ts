/**
 * Lambda's limits that the settings schema cannot say alone, checked before packaging and before
 * any AWS call: the 4 KB environment, reserved variable names, the function name, and a region the
 * SDK's partitions know (with a "did you mean" for a typo).
 */
import { KaggError } from '@kagg/core/errors';

/** Lambda measures the environment as the JSON of its Variables map. */
export const ENV_LIMIT_BYTES = 4096;

/** Variables the Lambda runtime sets itself; CreateFunction refuses them. */
export const RESERVED_ENV_KEYS = [
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_DEFAULT_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_LAMBDA_RUNTIME_API',
  'AWS_REGION',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'LAMBDA_RUNTIME_DIR',
  'LAMBDA_TASK_ROOT',
] as const;

/** Refuses reserved names and an environment over 4 KB, naming the largest variables (never a value). */
export function checkEnvironment(variables: Record<string, string>): void {
  const reserved = Object.keys(variables).filter((k) => (RESERVED_ENV_KEYS as readonly string[]).includes(k));
  if (reserved.length > 0) {
    throw new KaggError(`Lambda reserves the environment variable(s) ${reserved.join(', ')}: it sets them itself`, {
      code: 'AWS_ENV_RESERVED',
      exitCode: 2,
      action: 'rename them (--env MY_REGION=..., then read that name in the notebook)',
    });
  }
  const size = Buffer.byteLength(JSON.stringify(variables));
  if (size > ENV_LIMIT_BYTES) {
    const largest = Object.entries(variables)
      .map(([k, v]) => [k, Buffer.byteLength(k) + Buffer.byteLength(v)] as const)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([k, n]) => `${k} ${n} B`);
    throw new KaggError(
      `the function's environment is ${size} bytes, over Lambda's ${ENV_LIMIT_BYTES}-byte limit (largest: ${largest.join(', ')})`,
      {
        code: 'AWS_ENV_TOO_LARGE',
        exitCode: 2,
        action: 'move large values into a bundled file (--include) or a secret store, and pass only their names',
      },
    );
  }
}

/** Lambda function names: 1–64 letters, digits, `-` and `_`. */
export function checkFunctionName(name: string): void {
  if (!/^[a-zA-Z0-9_-]{1,64}$/.test(name)) {
    throw new KaggError(`"${name}" is not a valid Lambda function name (1-64 letters, digits, - or _)`, {
      code: 'AWS_NAME_INVALID',
      exitCode: 2,
    });
  }
}

type PartitionOf = (region: string) => { description?: string };

function editsOf(word: string): string[] {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789-';
  const out: string[] = [];
  for (let i = 0; i <= word.length; i++) {
    const [head, tail] = [word.slice(0, i), word.slice(i)];
    if (tail) out.push(head + tail.slice(1));
    if (tail.length > 1) out.push(head + tail[1] + tail[0] + tail.slice(2));
    for (const c of alphabet) {
      if (tail) out.push(head + c + tail.slice(1));
      out.push(head + c + tail);
    }
  }
  return out;
}

/** A region the SDK's partitions list (by name), else an error with the nearest known one. */
export async function checkRegion(region: string): Promise<string> {
  const { partition } = (await import('@aws-sdk/core/client')) as unknown as { partition: PartitionOf };
  // `aws-global` and its kind are endpoints' pseudo-regions, not places to run a function.
  const known = (r: string) => !r.endsWith('-global') && partition(r).description !== undefined;
  if (known(region)) return region;
  const [near, ...others] = [...new Set(editsOf(region))].filter(known).sort();
  const guess = near ? `: did you mean ${near}${others.length > 0 ? ` (or ${others.join(', ')})` : ''}?` : '';
  throw new KaggError(`unknown AWS region "${region}"${guess} (not in the regions this AWS SDK knows)`, {
    code: 'AWS_REGION_UNKNOWN',
    exitCode: 2,
    action: near
      ? `pass --region ${near}`
      : 'pass --region with a region such as us-east-1 or eu-west-1 (a brand-new region needs a newer kagg)',
  });
}
