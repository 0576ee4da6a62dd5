/**
 * @kagg/testkit's DeployTarget conformance suite on the aws target as kagg loads it (its
 * `kagg:targets` hook), against the strict AWS fake on 127.0.0.1 with injected credentials.
 */

import { after } from 'node:test';
import { startAwsFake } from '@kagg/testkit/aws-fake';
import { describeDeployTarget } from '@kagg/testkit/conformance';
import targetsHook from '../dist/hooks/targets.js';

const fake = await startAwsFake();
const VARS = {
  AWS_ENDPOINT_URL: fake.url,
  AWS_ACCESS_KEY_ID: fake.accessKeyId,
  AWS_SECRET_ACCESS_KEY: fake.secretAccessKey,
  AWS_REGION: 'eu-west-1',
  AWS_EC2_METADATA_DISABLED: 'true',
  KAGG_AWS_POLL_MS: '5',
};
for (const key of ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL_LAMBDA', 'AWS_ENDPOINT_URL_IAM'])
  delete process.env[key];
Object.assign(process.env, VARS);
after(() => fake.close());

const [target] = await targetsHook();
// A region no AWS SDK knows (it fits the schema's pattern): the target refuses it before any call.
describeDeployTarget(target!, { options: { public: true }, refuse: { region: 'eu-mars-1' } });
