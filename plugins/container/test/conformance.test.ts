import { after } from 'node:test';
import { containerTarget } from '@kagg/plugin-container';
import { describeDeployTarget } from '@kagg/testkit/conformance';
import { startDockerFake } from '@kagg/testkit/docker-fake';

// The strict fake Docker Engine on 127.0.0.1; the suite takes its options when it is described.
const fake = await startDockerFake();
after(() => fake.stop());

describeDeployTarget(containerTarget, {
  options: { dockerHost: fake.host, port: 0, startTimeout: 60 },
  // An engine socket that does not exist: no engine answers there.
  refuse: { dockerHost: 'unix:///nonexistent/kagg-conformance/docker.sock' },
});
