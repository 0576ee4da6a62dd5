/**
 * The one seam between the aws target and AWS: SDK clients (imported lazily, so `kagg --help` loads
 * none of them), the region, credentials, poll delays and deadlines.
 *
 * In production everything comes from the SDK's own defaults: the default credential chain, and the
 * standard endpoint variables (`AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_LAMBDA`, `AWS_ENDPOINT_URL_IAM`,
 * `AWS_ENDPOINT_URL_S3`), which the SDK reads itself. Tests pass an `AwsSeam` (credentials, an
 * endpoint, short delays); `KAGG_AWS_POLL_MS` shortens the poll delay for end-to-end runs.
 */

import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { LambdaClient, LambdaClientConfig } from '@aws-sdk/client-lambda';
import type { S3Client } from '@aws-sdk/client-s3';
import { KaggError } from '@kagg/core/errors';
import { proxyHandler } from './proxy.js';

export interface AwsLimits {
  /** Largest zip sent inline with CreateFunction/UpdateFunctionCode; larger goes through S3. */
  zipBytes: number;
  /** Largest unzipped package Lambda accepts. */
  unzippedBytes: number;
}

export const LAMBDA_LIMITS: AwsLimits = { zipBytes: 50 * 1024 * 1024, unzippedBytes: 262_144_000 };

export interface AwsSeam {
  /** Static credentials or a provider; else the SDK's default chain. */
  credentials?: NonNullable<LambdaClientConfig['credentials']>;
  /** One endpoint for every service; else the SDK's AWS_ENDPOINT_URL* variables or AWS itself. */
  endpoint?: string;
  /** Delay between polls (waiters, retries, health checks). Default: KAGG_AWS_POLL_MS or 1000. */
  pollMs?: number;
  /** How long CreateFunction is retried while a new role propagates. Default 90 s. */
  propagationMs?: number;
  /** How long to wait for Active / Successful. Default 15 min. */
  waitMs?: number;
  /** How long the first health call may take to answer. Default 120 s. */
  healthMs?: number;
  /** SDK attempts per call (the SDK retries throttling and 5xx). Default: the SDK's (3). */
  maxAttempts?: number;
  limits?: Partial<AwsLimits>;
  /** Python interpreter running pip for vendoring. Default: KAGG_PYTHON or python3. */
  python?: string;
  /** Environment for region, credential descriptions and pip. Default: process.env. */
  env?: NodeJS.ProcessEnv;
}

export interface Timing {
  pollMs: number;
  propagationMs: number;
  waitMs: number;
  healthMs: number;
}

export function timingOf(seam: AwsSeam): Timing {
  const env = seam.env ?? process.env;
  const fromEnv = Number(env.KAGG_AWS_POLL_MS);
  const pollMs = seam.pollMs ?? (Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : 1000);
  return {
    pollMs,
    propagationMs: seam.propagationMs ?? 90_000,
    waitMs: seam.waitMs ?? 15 * 60_000,
    healthMs: seam.healthMs ?? 120_000,
  };
}

export function limitsOf(seam: AwsSeam): AwsLimits {
  return { ...LAMBDA_LIMITS, ...seam.limits };
}

function common(region: string, seam: AwsSeam): Record<string, unknown> {
  return {
    region,
    ...(seam.credentials ? { credentials: seam.credentials } : {}),
    ...(seam.endpoint ? { endpoint: seam.endpoint } : {}),
    ...(seam.maxAttempts ? { maxAttempts: seam.maxAttempts } : {}),
  };
}

export interface AwsClients {
  region: string;
  lambda: LambdaClient;
  iam: IAMClient;
  /** Created on first use (S3 staging only). */
  s3(): Promise<S3Client>;
  /** Created on first use (log groups, `kagg logs`). */
  logs(): Promise<CloudWatchLogsClient>;
  close(): void;
}

export async function createClients(region: string, seam: AwsSeam): Promise<AwsClients> {
  const [{ LambdaClient }, { IAMClient }] = await Promise.all([
    import('@aws-sdk/client-lambda'),
    import('@aws-sdk/client-iam'),
  ]);
  // Every client gets the same settings, the proxy's agents included (HTTPS_PROXY and friends).
  const base = { ...common(region, seam), ...(await proxyHandler()) };
  const lambda = new LambdaClient(base);
  const iam = new IAMClient(base);
  let s3: S3Client | undefined;
  let logs: CloudWatchLogsClient | undefined;
  return {
    region,
    lambda,
    iam,
    async s3() {
      if (!s3) {
        const { S3Client } = await import('@aws-sdk/client-s3');
        s3 = new S3Client({
          ...base,
          forcePathStyle: Boolean(
            seam.endpoint ||
              (seam.env ?? process.env).AWS_ENDPOINT_URL_S3 ||
              (seam.env ?? process.env).AWS_ENDPOINT_URL,
          ),
          requestChecksumCalculation: 'WHEN_REQUIRED',
        });
      }
      return s3;
    },
    async logs() {
      if (!logs) {
        const { CloudWatchLogsClient } = await import('@aws-sdk/client-cloudwatch-logs');
        logs = new CloudWatchLogsClient(base);
      }
      return logs;
    },
    close() {
      lambda.destroy();
      iam.destroy();
      s3?.destroy();
      logs?.destroy();
    },
  };
}

/**
 * The region: the `region` setting, else `AWS_REGION`, `AWS_DEFAULT_REGION`, else the region of the
 * active profile in ~/.aws/config (through the SDK's own loader).
 */
export async function resolveRegion(option: string | undefined, seam: AwsSeam): Promise<string> {
  const env = seam.env ?? process.env;
  const direct = option || env.AWS_REGION || env.AWS_DEFAULT_REGION;
  if (direct) return direct;
  try {
    const { LambdaClient } = await import('@aws-sdk/client-lambda');
    const probe = new LambdaClient({ ...(seam.credentials ? { credentials: seam.credentials } : {}) });
    try {
      const region = await probe.config.region();
      if (region) return region;
    } finally {
      probe.destroy();
    }
  } catch {
    // no region in the profile either
  }
  throw new KaggError('no AWS region: kagg does not know where to deploy', {
    code: 'AWS_REGION_MISSING',
    exitCode: 2,
    action:
      'pass --region (e.g. --region eu-west-1), set AWS_REGION, or set targets.aws.region in the kagg config file (a region in the AWS profile also works)',
  });
}

/** Where the credentials come from, for messages. Never the secret. */
export function credentialSource(seam: AwsSeam): string {
  const env = seam.env ?? process.env;
  if (seam.credentials) return 'the credentials given to the aws target';
  if (env.AWS_ACCESS_KEY_ID) return 'the environment variables AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY';
  if (env.AWS_PROFILE) return `the AWS profile "${env.AWS_PROFILE}" (~/.aws/credentials, ~/.aws/config)`;
  return "the AWS SDK's default credential chain (environment, ~/.aws/credentials and ~/.aws/config, SSO, instance role)";
}

/** `AKIA…0001`: enough to tell keys apart, not the key. */
export function maskKeyId(id: string | undefined): string | undefined {
  if (!id) return undefined;
  return id.length <= 8 ? '****' : `${id.slice(0, 4)}…${id.slice(-4)}`;
}
