/**
 * The whole DeployTarget lifecycle of the `aws` target as kagg loads it (the object its
 * `kagg:targets` hook returns, no test seam): package → deploy → invocation → describe → destroy,
 * configured only through the SDK's standard variables (AWS_ENDPOINT_URL_LAMBDA / _IAM / _CLOUDWATCH_LOGS,
 * AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, AWS_REGION) and KAGG_AWS_POLL_MS.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type DeployTarget, targetShapeProblems } from '@kagg/plugin-api';
import { type AwsFake, bundleOf, recordingContext, startAwsFake } from '@kagg/testkit/aws-fake';
import targetsHook from '../plugins/aws/dist/hooks/targets.js';

const VARS = [
  'AWS_ENDPOINT_URL',
  'AWS_ENDPOINT_URL_LAMBDA',
  'AWS_ENDPOINT_URL_IAM',
  'AWS_ENDPOINT_URL_CLOUDWATCH_LOGS',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_PROFILE',
  'AWS_REGION',
  'KAGG_AWS_POLL_MS',
];

const MEAN = [
  { source: 'def process_request(payload):\n    xs = payload["xs"]\n    return {"mean": sum(xs) / len(xs)}\n' },
];

describe('aws target lifecycle through the standard AWS environment variables', () => {
  let fake: AwsFake;
  const saved: Record<string, string | undefined> = {};
  let target: DeployTarget;

  before(async () => {
    fake = await startAwsFake({ pendingPolls: 2, updatePolls: 2 });
    for (const v of VARS) saved[v] = process.env[v];
    for (const v of VARS) delete process.env[v];
    process.env.AWS_ENDPOINT_URL_LAMBDA = fake.url;
    process.env.AWS_ENDPOINT_URL_IAM = fake.url;
    process.env.AWS_ENDPOINT_URL_CLOUDWATCH_LOGS = fake.url;
    process.env.AWS_ACCESS_KEY_ID = fake.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = fake.secretAccessKey;
    process.env.AWS_REGION = 'eu-central-1';
    process.env.KAGG_AWS_POLL_MS = '5';
    const targets = await targetsHook();
    assert.equal(targets.length, 1);
    target = targets[0] as DeployTarget;
  });
  after(async () => {
    for (const v of VARS) {
      if (saved[v] === undefined) delete process.env[v];
      else process.env[v] = saved[v];
    }
    await fake.close();
  });

  test('the hook contributes one well-formed aws target', () => {
    assert.deepEqual(targetShapeProblems(target), []);
    assert.equal(target.id, 'aws');
    assert.equal(target.apiVersion, 1);
    const props = Object.keys((target.optionsSchema as { properties: object }).properties);
    for (const key of [
      'region',
      'memory',
      'timeout',
      'public',
      'architecture',
      'runtime',
      'role',
      'environment',
      'bucket',
    ]) {
      assert.ok(props.includes(key), `optionsSchema has ${key}`);
    }
  });

  for (const auth of ['public', 'private'] as const) {
    test(`${auth}: package → deploy → invocation → describe → destroy`, async () => {
      const name = `mean-${auth}`;
      const options = { public: auth === 'public' };
      const bundle = await bundleOf(name, MEAN);

      const mark = fake.requests.length;
      const artifact = await target.package(bundle, options);
      assert.equal(fake.requests.length, mark, 'package() makes no network call');
      assert.equal(artifact.target, 'aws');
      assert.equal(artifact.bundle.hash, bundle.hash);
      assert.ok(artifact.files.some((f) => f.path === 'handler.py'));

      const deployment = await target.deploy(artifact, recordingContext(name, options));
      assert.equal(deployment.name, name);
      assert.equal(deployment.target, 'aws');
      assert.equal(deployment.auth, auth);
      assert.equal(deployment.region, 'eu-central-1', 'region from AWS_REGION');
      assert.match(String(deployment.providerIds.functionArn), /^arn:aws:lambda:eu-central-1:/);
      const services = new Set(fake.requests.slice(mark).map((r) => r.service));
      assert.ok(services.has('iam') && services.has('lambda') && services.has('url'), [...services].join(','));
      const text = JSON.stringify(deployment);
      assert.ok(
        !text.includes(fake.secretAccessKey) && !text.includes(fake.accessKeyId),
        'registry entry holds no credential',
      );

      const invocation = await target.invocation(deployment);
      const body = JSON.stringify({ xs: [2, 4, 9] });
      const headers: Record<string, string> = { 'content-type': 'application/json', ...invocation.headers };
      if (auth === 'private') {
        assert.ok(invocation.sign);
        Object.assign(headers, await invocation.sign({ method: 'POST', url: invocation.url, headers, body }));
      } else {
        assert.equal(invocation.sign, undefined);
      }
      const res = await fetch(invocation.url, { method: 'POST', headers, body });
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { mean: (2 + 4 + 9) / 3 });

      const ctx = recordingContext(name, options);
      assert.equal((await target.describe(deployment, ctx)).state, 'ready');
      await target.destroy(deployment, ctx);
      assert.equal((await target.describe(deployment, ctx)).state, 'missing');
      assert.equal((await fetch(invocation.url)).status, 404);
    });
  }
});
