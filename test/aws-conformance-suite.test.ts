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
import { awsSeam } from './aws-helpers.ts';

const fake = await startAwsFake();
after(() => fake.close());

describeDeployTarget(createAwsTarget(awsSeam(fake)) as unknown as DeployTarget, {
  options: { region: 'us-east-1', memory: 256 },
});
