/**
 * @kagg/testkit's DeployTarget conformance suite on the cloud-run target as kagg loads it (the
 * plugin's `kagg:targets` hook): the real @google-cloud/run and @google-cloud/cloudbuild clients
 * against the strict Cloud Run fake on 127.0.0.1, whose service URLs run the build context's CMD
 * under python3.
 */

import { after } from 'node:test';
import type { DeployTarget } from '@kagg/plugin-api';
import { startCloudRunFake } from '@kagg/testkit/cloud-run-fake';
import { describeDeployTarget } from '@kagg/testkit/conformance';
import targetsHook from '../dist/hooks/targets.js';

const fake = await startCloudRunFake();
for (const key of ['GOOGLE_APPLICATION_CREDENTIALS', 'CLOUDSDK_CORE_PROJECT']) delete process.env[key];
Object.assign(process.env, {
  KAGG_GCP_API_ENDPOINT: fake.url,
  KAGG_GCP_ACCESS_TOKEN: fake.accessToken,
  KAGG_GCP_IDENTITY_TOKEN: fake.identityToken,
  GOOGLE_CLOUD_PROJECT: 'kagg-test',
  KAGG_GCP_POLL_MS: '5',
});
after(() => fake.close());

const target = ((await targetsHook()) as DeployTarget[]).find((t) => t.id === 'cloud-run');
if (!target) throw new Error('the kagg:targets hook of @kagg/plugin-gcp does not contribute cloud-run');
// 8 GiB on one vCPU: Cloud Run allows 4 GiB per vCPU, which the schema alone cannot say.
describeDeployTarget(target, {
  options: { region: 'europe-west1', public: true },
  refuse: { memory: 8192, cpu: 1 },
});
