/** The AWS fake as the aws target's tests use it: a seam, a fake per suite, a kagg CLI pointed at it. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before } from 'node:test';
import type { DeployTarget } from '@kagg/plugin-api';
import type { AwsOptions, AwsSeam } from '@kagg/plugin-aws';
import { createAwsTarget } from '@kagg/plugin-aws';
import { type AwsFake, type AwsFakeOptions, startAwsFake } from '@kagg/testkit/aws-fake';
import { isolatedEnv, kagg, ROOT } from './helpers.ts';

/** Injected credentials, the fake as the one endpoint, short delays. */
export function awsSeam(fake: AwsFake, extra: Partial<AwsSeam> = {}): AwsSeam {
  return {
    credentials: { accessKeyId: fake.accessKeyId, secretAccessKey: fake.secretAccessKey },
    endpoint: fake.url,
    pollMs: 5,
    maxAttempts: 1,
    healthMs: 30_000,
    propagationMs: 10_000,
    env: { PATH: process.env.PATH ?? '' },
    ...extra,
  };
}

/** A fresh fake for the enclosing suite and an aws target using it (set in `before`). */
export function useAwsFake(options: AwsFakeOptions = {}): { fake: AwsFake; target: DeployTarget<AwsOptions> } {
  const suite = {} as { fake: AwsFake; target: DeployTarget<AwsOptions> };
  before(async () => {
    suite.fake = await startAwsFake(options);
    suite.target = createAwsTarget(awsSeam(suite.fake));
  });
  after(() => suite.fake.close());
  return suite;
}

/** The environment of a kagg process that reaches the fake through the SDK's own variables, with the aws plugin linked. */
export async function awsCliEnv(home: string, fake: AwsFake): Promise<NodeJS.ProcessEnv> {
  const env = isolatedEnv(home, {
    AWS_ENDPOINT_URL: fake.url,
    AWS_ACCESS_KEY_ID: fake.accessKeyId,
    AWS_SECRET_ACCESS_KEY: fake.secretAccessKey,
    AWS_REGION: 'eu-west-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    KAGG_AWS_POLL_MS: '10',
  });
  const linked = await kagg(['plugins', 'link', path.join(ROOT, 'plugins', 'aws'), '--no-install'], env);
  assert.equal(linked.code, 0, linked.stderr);
  return env;
}

/** POSTs `{a, b}` to an adder endpoint and returns its JSON answer. */
export async function sum(url: string, a: number, b: number): Promise<unknown> {
  const res = await fetch(url, { method: 'POST', body: JSON.stringify({ a, b }) });
  return res.json();
}
