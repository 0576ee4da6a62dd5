/**
 * @kagg/testkit's DeployTarget conformance suite on the gcp target as kagg loads it (its
 * `kagg:targets` hook): the real @google-cloud/functions and @google-cloud/run clients against the
 * strict Google fake on 127.0.0.1, with an injected access token and identity token.
 */

import { after } from 'node:test';
import type { DeployTarget } from '@kagg/plugin-api';
import { describeDeployTarget } from '@kagg/testkit/conformance';
import { startGcpFake } from '@kagg/testkit/gcp-fake';
import targetsHook from '../dist/hooks/targets.js';

const fake = await startGcpFake();
for (const key of ['GOOGLE_APPLICATION_CREDENTIALS', 'CLOUDSDK_CORE_PROJECT']) delete process.env[key];
Object.assign(process.env, {
  KAGG_GCP_API_ENDPOINT: fake.url,
  KAGG_GCP_ACCESS_TOKEN: fake.accessToken,
  KAGG_GCP_IDENTITY_TOKEN: fake.identityToken,
  GOOGLE_CLOUD_PROJECT: 'kagg-test',
  KAGG_GCP_POLL_MS: '5',
});
after(() => fake.close());

const [target] = (await targetsHook()) as DeployTarget[];
describeDeployTarget(target as DeployTarget, {
  options: { region: 'europe-west1', public: true },
  // Each setting is valid alone; together they are not, which only the target can tell.
  refuse: { minInstances: 2, maxInstances: 1 },
});
