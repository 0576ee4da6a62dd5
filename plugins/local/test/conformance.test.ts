import type { DeployTarget } from '@kagg/plugin-api';
import { localTarget } from '@kagg/plugin-local';
import { describeDeployTarget } from '@kagg/testkit/conformance';

describeDeployTarget(localTarget as unknown as DeployTarget, {
  options: { port: 0, python: 'python3', startTimeout: 60 },
});
