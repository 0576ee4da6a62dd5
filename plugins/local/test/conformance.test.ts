import { localTarget } from '@kagg/plugin-local';
import { describeDeployTarget } from '@kagg/testkit/conformance';

describeDeployTarget(localTarget, {
  options: { port: 0, python: 'python3', startTimeout: 60 },
  refuse: { python: '/nowhere/python3' },
});
