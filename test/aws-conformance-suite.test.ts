/**
 * The aws target passes @kagg/testkit's DeployTarget conformance suite, against the strict AWS fake
 * with the real SDK clients: the contract every target must keep, redeploys and interruptions
 * included.
 */
import { after } from 'node:test';
import type { DeployTarget } from '@kagg/plugin-api';
import { createAwsTarget } from '@kagg/plugin-aws';
import { startAwsFake } from '@kagg/testkit/aws-fake';
import { describeDeployTarget } from '@kagg/testkit/conformance';

const fake = await startAwsFake();
after(() => fake.close());

describeDeployTarget(
  createAwsTarget({
    credentials: { accessKeyId: fake.accessKeyId, secretAccessKey: fake.secretAccessKey },
    endpoint: fake.url,
    pollMs: 5,
    maxAttempts: 1,
    healthMs: 30_000,
    env: { PATH: process.env.PATH ?? '' },
  }) as unknown as DeployTarget,
  { options: { region: 'us-east-1', memory: 256 } },
);
