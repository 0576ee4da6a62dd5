/**
 * @kagg/testkit's DeployTarget conformance suite on the azure target as kagg loads it (its
 * `kagg:targets` hook): the real Azure SDK clients against the strict HTTPS ARM + Kudu fake on
 * 127.0.0.1, its self-signed certificate trusted in this process, the token injected.
 */
import { after } from 'node:test';
import type { DeployTarget } from '@kagg/plugin-api';
import { startAzureFake, trustAzureFake } from '@kagg/testkit/azure-fake';
import { describeDeployTarget } from '@kagg/testkit/conformance';
import targetsHook from '../dist/hooks/targets.js';

const fake = await startAzureFake();
trustAzureFake(fake);
for (const key of ['AZURE_CLIENT_ID', 'AZURE_TENANT_ID', 'AZURE_CLIENT_SECRET']) delete process.env[key];
Object.assign(process.env, {
  KAGG_AZURE_ARM_ENDPOINT: fake.url,
  KAGG_AZURE_ACCESS_TOKEN: fake.token,
  AZURE_SUBSCRIPTION_ID: fake.subscriptionId,
  KAGG_AZURE_POLL_MS: '5',
});
after(() => fake.close());

const [target] = (await targetsHook()) as DeployTarget[];
// An app setting Flex Consumption rejects (and kagg sets itself).
describeDeployTarget(target as DeployTarget, {
  options: { public: true },
  refuse: { environment: { FUNCTIONS_WORKER_RUNTIME: 'node' } },
});
