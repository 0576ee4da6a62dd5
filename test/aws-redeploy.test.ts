/**
 * Redeploys on the aws target that do what was asked, against the strict AWS fake with the real SDK:
 * a settings-only change updates only the configuration (or only the URL's auth), names stay
 * distinct and never become `kagg-kagg-…`, a function kagg did not create is refused unless adopted,
 * a step that failed half-way is repaired by the next run, and limits are refused before any call.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { redact } from '@kagg/core/config';
import { resourceNameOf } from '@kagg/core/naming';
import type { Deployment, DeployTarget } from '@kagg/plugin-api';
import type { AwsOptions } from '@kagg/plugin-aws';
import { createAwsTarget, ROLE_NAME } from '@kagg/plugin-aws';
import { bundleOf, recordingContext } from '@kagg/testkit/aws-fake';
import { awsSeam, sum, useAwsFake } from './aws-helpers.ts';

const ADDER = [{ source: 'def process_request(payload):\n    return {"sum": payload["a"] + payload["b"]}\n' }];
const BASIC_POLICY = 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole';

const opts = (extra: Partial<AwsOptions> = {}): AwsOptions => ({ region: 'us-east-1', memory: 256, ...extra });

/** Deploys `name` as kagg's core would: the provider-safe name from the target's naming rules. */
async function deploy(
  target: DeployTarget<AwsOptions>,
  name: string,
  options: AwsOptions,
  extra: { previous?: Deployment; adopt?: boolean; env?: Record<string, string> } = {},
) {
  const artifact = await target.package(await bundleOf(name, ADDER), options);
  const ctx = recordingContext(name, options, { resourceName: resourceNameOf(name, target.naming), ...extra });
  return { deployment: await target.deploy(artifact, ctx), stages: ctx.stages };
}

describe('aws redeploys change what was asked, nothing more', () => {
  const aws = useAwsFake();

  test('a settings-only change updates the configuration without uploading code; auth changes only the URL', async () => {
    const { fake, target } = aws;
    const first = await deploy(target, 'settle', opts());
    assert.deepEqual(first.deployment.written?.sort(), [
      'auth',
      'code',
      'config',
      'logs',
      'role',
      'role-policy',
      'url',
    ]);

    let mark = fake.requests.length;
    const bigger = await deploy(target, 'settle', opts({ memory: 2048 }), { previous: first.deployment });
    assert.deepEqual(bigger.deployment.written, ['config']);
    const ops = fake.requests.slice(mark).map((r) => r.operation);
    assert.ok(ops.includes('UpdateFunctionConfiguration'), ops.join(' '));
    assert.ok(!ops.includes('UpdateFunctionCode'), 'the code is not uploaded again');
    assert.equal(fake.state.functions.get('kagg-settle')?.memorySize, 2048);

    mark = fake.requests.length;
    const closed = await deploy(target, 'settle', opts({ memory: 2048, public: false }), {
      previous: bigger.deployment,
    });
    assert.deepEqual(closed.deployment.written, ['auth']);
    assert.equal(closed.deployment.auth, 'private');
    const fn = fake.state.functions.get('kagg-settle');
    assert.equal(fn?.url?.authType, 'AWS_IAM');
    assert.deepEqual(fn?.statements, [], 'both public grants removed');
    assert.equal((await fetch(closed.deployment.url)).status, 403);
    assert.ok(!fake.writes().slice(-3).includes('UpdateFunctionConfiguration'));

    const same = await deploy(target, 'settle', opts({ memory: 2048, public: false }), {
      previous: closed.deployment,
    });
    assert.deepEqual(same.deployment.written, [], 'nothing to write: nothing written');
  });

  test('names: no kagg-kagg- prefix; two long names sharing their beginning get two functions', async () => {
    const { fake, target } = aws;
    const prefixed = await deploy(target, 'kagg-already', opts());
    assert.equal(prefixed.deployment.providerIds.functionName, 'kagg-already');
    assert.ok(!fake.state.functions.has('kagg-kagg-already'));

    const stem = 'a'.repeat(62);
    const one = await deploy(target, `${stem}1`, opts());
    const two = await deploy(target, `${stem}2`, opts());
    const names = [one.deployment.providerIds.functionName, two.deployment.providerIds.functionName] as string[];
    assert.notEqual(names[0], names[1]);
    for (const n of names) assert.match(n, /^kagg-a+-[0-9a-f]{8}$/, 'within 64 characters, a hash at the end');
    for (const n of names) assert.ok(n.length <= 64);
    assert.deepEqual(await sum(one.deployment.url, 1, 2), { sum: 3 });
    await target.destroy(one.deployment, recordingContext(`${stem}1`, opts()));
    assert.ok(!fake.state.functions.has(names[0] as string));
    assert.deepEqual(await sum(two.deployment.url, 2, 2), { sum: 4 }, 'destroying one leaves the other');
  });

  test('every resource kagg creates is tagged: the function with its endpoint, the role as kagg-managed', async () => {
    const { fake, target } = aws;
    await deploy(target, 'tagged', opts());
    assert.deepEqual(fake.state.functions.get('kagg-tagged')?.tags, {
      'managed-by': 'kagg',
      'kagg-endpoint': 'tagged',
    });
    assert.deepEqual(fake.state.roles.get(ROLE_NAME)?.tags, { 'managed-by': 'kagg' });
  });

  test('a function with the name that this endpoint did not create is refused; --adopt takes it over', async () => {
    const { fake, target } = aws;
    await deploy(target, 'theirs', opts());
    const mark = fake.writes().length;
    // Another endpoint whose name maps to the same function (kagg-theirs) is refused, naming the owner.
    await assert.rejects(deploy(target, 'kagg-theirs', opts()), (error: Error & { code?: string; action?: string }) => {
      assert.equal(error.code, 'AWS_NAME_TAKEN');
      assert.match(error.message, /kagg-theirs already exists in us-east-1/);
      assert.match(error.message, /belongs to the kagg endpoint "theirs"/);
      assert.match(error.action ?? '', /--adopt/);
      return true;
    });
    assert.deepEqual(fake.writes().slice(mark), [], 'nothing was written');
    const adopted = await deploy(target, 'kagg-theirs', opts(), { adopt: true });
    assert.ok(adopted.deployment.written?.includes('tags'));
    assert.equal(fake.state.functions.get('kagg-theirs')?.tags['kagg-endpoint'], 'kagg-theirs');
    assert.deepEqual(await sum(adopted.deployment.url, 40, 2), { sum: 42 });
  });

  test('a function deployed before kagg tagged resources is recognised through the registry and tagged', async () => {
    const { fake, target } = aws;
    const { deployment } = await deploy(target, 'older', opts());
    const fn = fake.state.functions.get('kagg-older');
    assert.ok(fn);
    fn.tags = {};
    const again = await deploy(target, 'older', opts(), { previous: deployment });
    assert.deepEqual(again.deployment.written, ['tags']);
    assert.equal(fn.tags['kagg-endpoint'], 'older');
  });
});

describe('aws: a failure between two ensure-steps is repaired by the next run', () => {
  const aws = useAwsFake();

  test('role created, policy attachment denied: the next deploy attaches it and says so', async () => {
    const { fake, target } = aws;
    fake.inject.denyNext('AttachRolePolicy');
    await assert.rejects(deploy(target, 'halfrole', opts()), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'AWS_ACCESS_DENIED');
      return true;
    });
    assert.deepEqual(fake.state.roles.get(ROLE_NAME)?.attachedPolicies, [], 'the run stopped between the two steps');
    const { deployment, stages } = await deploy(target, 'halfrole', opts());
    assert.deepEqual(fake.state.roles.get(ROLE_NAME)?.attachedPolicies, [BASIC_POLICY]);
    assert.ok(deployment.written?.includes('role-policy'));
    assert.ok(
      stages.some((s) => /^repairing the execution role: .*lacked AWSLambdaBasicExecutionRole/.test(s)),
      stages.join(' | '),
    );
  });

  test('URL created, permission denied: the next deploy adds the missing grants and the URL answers', async () => {
    const { fake, target } = aws;
    fake.inject.denyNext('AddPermission');
    await assert.rejects(deploy(target, 'halfurl', opts()), /AddPermission/);
    const fn = fake.state.functions.get('kagg-halfurl');
    assert.ok(fn?.url, 'the URL exists');
    assert.equal(fn.statements.length, 0);
    const { deployment } = await deploy(target, 'halfurl', opts());
    assert.deepEqual(deployment.written, ['auth']);
    assert.equal(fn.statements.length, 2);
    assert.deepEqual(await sum(deployment.url, 1, 1), { sum: 2 });
  });
});

describe('aws: limits refused before any call', () => {
  const aws = useAwsFake();

  const check = (name: string, options: AwsOptions, env: Record<string, string> = {}) =>
    aws.target.check?.({ name, resourceName: resourceNameOf(name, aws.target.naming), options, env }) ??
    Promise.reject(new Error('the aws target has no check()'));

  test('an environment over 4 KB, by --env or by settings: refused naming the largest keys, never a value', async () => {
    const { fake, target } = aws;
    const value = 'v'.repeat(5000);
    for (const attempt of [
      check('big', opts(), { BLOB: value }),
      deploy(target, 'big', opts(), { env: { BLOB: value } }),
    ]) {
      await assert.rejects(attempt, (error: Error & { code?: string; exitCode?: number }) => {
        assert.equal(error.code, 'AWS_ENV_TOO_LARGE');
        assert.equal(error.exitCode, 2);
        assert.match(error.message, /over Lambda's 4096-byte limit \(largest: BLOB 5004 B\)/);
        assert.ok(!error.message.includes(value));
        return true;
      });
    }
    await assert.rejects(check('big', opts({ environment: { BLOB: value } })), /AWS_ENV_TOO_LARGE|4096-byte/);
    assert.equal(fake.requests.length, 0, 'no AWS call at all');
  });

  test('reserved variables, an unknown region with a suggestion', async () => {
    const { fake, target } = aws;
    await assert.rejects(check('r', opts(), { AWS_REGION: 'x' }), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'AWS_ENV_RESERVED');
      assert.match(error.message, /AWS_REGION/);
      return true;
    });
    await assert.rejects(
      check('r', opts({ region: 'us-est-1' })),
      (error: Error & { code?: string; action?: string }) => {
        assert.equal(error.code, 'AWS_REGION_UNKNOWN');
        assert.match(error.message, /unknown AWS region "us-est-1": did you mean us-east-1 \(or us-west-1\)\?/);
        assert.equal(error.action, 'pass --region us-east-1');
        return true;
      },
    );
    await assert.rejects(deploy(target, 'r', opts({ region: 'eu-wst-1' })), /did you mean eu-west-1/);
    await check('r', opts({ region: 'ap-southeast-2' }));
    assert.equal(fake.requests.length, 0);
  });

  test('an endpoint that answers HTML: an error naming the endpoint, not a deserialization trace', async () => {
    const { fake } = aws;
    const html = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Welcome to nginx!</body></html>');
    });
    await new Promise<void>((resolve) => html.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(html.address() as AddressInfo).port}`;
    try {
      const wrong = createAwsTarget(awsSeam(fake, { endpoint: url }));
      await assert.rejects(deploy(wrong, 'html', opts()), (error: Error & { code?: string; action?: string }) => {
        assert.equal(error.code, 'AWS_BAD_ANSWER');
        assert.ok(error.message.startsWith(`the endpoint ${url} answered Lambda GetFunction`), error.message);
        assert.match(error.action ?? '', /AWS_ENDPOINT_URL/);
        assert.ok(!/Unexpected token|Deserialization/.test(error.message));
        return true;
      });
    } finally {
      html.close();
    }
  });
});

describe('aws: --env values never appear in output', () => {
  const aws = useAwsFake();

  test('a notebook that fails at start-up quoting its token: the message kagg prints masks the value', async () => {
    const { target } = aws;
    const token = 'sk-live-7f3a9c2e11d04b58';
    const cells = [
      {
        source:
          'import os\nTOKEN = os.environ["API_TOKEN"]\nif not TOKEN.startswith("tok-"):\n    raise ValueError(f"API_TOKEN must start with tok-, got {TOKEN}")\n',
      },
      ...ADDER,
    ];
    const options = opts();
    const artifact = await target.package(await bundleOf('leaky', cells), options);
    await assert.rejects(
      target.deploy(artifact, recordingContext('leaky', options, { env: { API_TOKEN: token } })),
      (error: Error & { code?: string }) => {
        assert.equal(error.code, 'AWS_NOTEBOOK_FAILED');
        assert.ok(error.message.includes('API_TOKEN must start with tok-'), error.message);
        assert.ok(!redact(error.message).includes(token), 'the printed message masks the --env value');
        return true;
      },
    );
  });
});
