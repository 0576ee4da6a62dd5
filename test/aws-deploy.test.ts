/**
 * The aws target against the strict AWS fake, with the real SDK clients: first deploy (role
 * propagation absorbed), the URL answering the notebook's computed value, redeploys (changed code,
 * unchanged bundle, a concurrent update's 409), private URLs with SigV4, S3 staging, size limits,
 * clear credential and region errors, destroy.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Deployment } from '@kagg/plugin-api';
import type { AwsOptions } from '@kagg/plugin-aws';
import { createAwsTarget, INVOKE_SID, ROLE_NAME, URL_SID } from '@kagg/plugin-aws';
import { type AwsFake, bundleOf, recordingContext, startAwsFake } from '@kagg/testkit/aws-fake';
import { awsSeam as seamFor } from './aws-helpers.ts';

const SUM_OF_SQUARES = [
  { source: 'import math\nSCALE = 1\n' },
  {
    source:
      'def process_request(payload):\n    values = payload.get("values", [])\n    return {"sum_of_squares": SCALE * sum(v * v for v in values), "n": len(values)}\n',
  },
];
const SUM_OF_CUBES = [
  { source: 'import math\nSCALE = 1\n' },
  {
    source:
      'def process_request(payload):\n    values = payload.get("values", [])\n    return {"sum_of_cubes": SCALE * sum(v ** 3 for v in values), "n": len(values)}\n',
  },
];

async function post(url: string, payload: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(payload),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

const opts = (extra: Partial<AwsOptions> = {}): AwsOptions => ({
  region: 'us-east-1',
  memory: 256,
  timeout: 30,
  ...extra,
});

describe('aws target against the fake', () => {
  let fake: AwsFake;
  before(async () => {
    fake = await startAwsFake({ rolePropagationFailures: 2, pendingPolls: 3, updatePolls: 3 });
  });
  after(async () => {
    await fake.close();
  });

  let first: Deployment;

  test('first deploy: creates the role, absorbs its propagation, creates function, URL and both permissions', async () => {
    const target = createAwsTarget(seamFor(fake));
    const bundle = await bundleOf('squares', SUM_OF_SQUARES);
    const artifact = await target.package(bundle, opts());
    const ctx = recordingContext('squares', opts(), { env: { GREETING: 'hello' } });
    first = await target.deploy(artifact, ctx);

    assert.equal(first.target, 'aws');
    assert.equal(first.auth, 'public');
    assert.equal(first.region, 'us-east-1');
    assert.equal(first.bundleHash, bundle.hash);
    assert.equal(first.url, `${fake.url}/fn/kagg-squares/`);
    assert.equal(first.providerIds.functionName, 'kagg-squares');
    assert.match(
      String(first.providerIds.functionArn),
      /^arn:aws:lambda:us-east-1:000000000000:function:kagg-squares$/,
    );
    assert.equal(first.providerIds.roleArn, `arn:aws:iam::000000000000:role/${ROLE_NAME}`);
    const recorded = JSON.stringify(first);
    assert.ok(
      !recorded.includes(fake.secretAccessKey) && !recorded.includes(fake.accessKeyId),
      'no credential in the Deployment',
    );

    // The wire: role created with the Lambda trust policy and only the basic execution policy.
    const createRole = new URLSearchParams(fake.calls('CreateRole')[0]?.body.toString());
    assert.deepEqual(JSON.parse(createRole.get('AssumeRolePolicyDocument') ?? '{}').Statement[0].Principal, {
      Service: 'lambda.amazonaws.com',
    });
    const attach = new URLSearchParams(fake.calls('AttachRolePolicy')[0]?.body.toString());
    assert.equal(attach.get('PolicyArn'), 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole');
    // Role propagation: two refusals, then the create goes through.
    assert.deepEqual(
      fake.calls('CreateFunction').map((r) => r.status),
      [400, 400, 201],
    );
    const create = JSON.parse(fake.calls('CreateFunction')[2]?.body.toString() ?? '{}');
    assert.equal(create.Handler, 'handler.handler');
    assert.equal(create.Runtime, 'python3.12');
    assert.deepEqual(create.Architectures, ['x86_64']);
    assert.equal(create.MemorySize, 256);
    assert.equal(create.Timeout, 30);
    assert.deepEqual(create.Environment, { Variables: { GREETING: 'hello' } });
    assert.equal(typeof create.Code.ZipFile, 'string');
    // Waited for Active before touching the URL.
    const ops = fake.requests.map((r) => r.operation ?? r.service);
    assert.ok(ops.indexOf('CreateFunctionUrlConfig') > ops.lastIndexOf('GetFunction'));
    assert.equal(fake.state.functions.get('kagg-squares')?.state, 'Active');
    // Both permissions of the dual-auth model.
    const perms = fake.calls('AddPermission').map((r) => JSON.parse(r.body.toString()));
    assert.deepEqual(
      perms.map((p) => [p.StatementId, p.Action, p.Principal, p.FunctionUrlAuthType, p.InvokedViaFunctionUrl]),
      [
        [URL_SID, 'lambda:InvokeFunctionUrl', '*', 'NONE', undefined],
        [INVOKE_SID, 'lambda:InvokeFunction', '*', undefined, true],
      ],
    );
    assert.equal(JSON.parse(fake.calls('CreateFunctionUrlConfig')[0]?.body.toString() ?? '{}').AuthType, 'NONE');
    // The health call reached the function through its URL.
    assert.ok(fake.requests.some((r) => r.service === 'url' && r.method === 'GET' && r.status === 200));
    for (const stage of [
      'creating the execution role',
      'waiting for the execution role',
      'creating the function',
      'waiting for the function to become Active',
      'creating the Function URL',
      'granting public access',
      'waiting for the endpoint to answer',
    ]) {
      assert.ok(
        ctx.stages.some((s) => s.startsWith(stage)),
        `progress shows "${stage}": ${ctx.stages.join(' | ')}`,
      );
    }
  });

  test('the Function URL answers with the value the notebook computes', async () => {
    const values = [3, 4, 12];
    const res = await post(first.url, { values });
    assert.equal(res.status, 200);
    assert.equal(
      res.body.sum_of_squares,
      values.reduce((n, v) => n + v * v, 0),
    );
    assert.equal(res.body.n, values.length);
    assert.equal(res.headers.get('content-type'), 'application/json');
    // Warm: the second call reuses the process and is not a cold start.
    const again = await post(first.url, { values: [5] });
    assert.equal(again.body.sum_of_squares, 25);
    assert.equal(again.headers.get('x-kagg-cold'), '0');
    assert.equal(again.headers.get('x-kagg-instance'), res.headers.get('x-kagg-instance'));
  });

  test('redeploying the unchanged bundle makes no write call', async () => {
    const target = createAwsTarget(seamFor(fake));
    const bundle = await bundleOf('squares', SUM_OF_SQUARES);
    const artifact = await target.package(bundle, opts());
    const before = fake.writes().length;
    const ctx = recordingContext('squares', opts(), { previous: first, env: { GREETING: 'hello' } });
    const again = await target.deploy(artifact, ctx);
    assert.deepEqual(fake.writes().slice(before), []);
    assert.equal(again.url, first.url);
    assert.equal(again.providerIds.functionArn, first.providerIds.functionArn);
    assert.ok(ctx.stages.some((s) => s.startsWith('code unchanged')));
  });

  test('redeploy with changed code and settings: code update, wait, configuration update, wait; the 409 never surfaces', async () => {
    const target = createAwsTarget(seamFor(fake));
    const bundle = await bundleOf('squares', SUM_OF_CUBES);
    const artifact = await target.package(bundle, opts({ memory: 512 }));
    // Someone else starts an update just before our configuration update: Lambda answers 409.
    fake.inject.concurrentUpdateBefore('UpdateFunctionConfiguration', 'kagg-squares', 2);
    const mark = fake.requests.length;
    const ctx = recordingContext('squares', opts({ memory: 512 }), { previous: first, env: { GREETING: 'hello' } });
    const updated = await target.deploy(artifact, ctx);
    const ops = fake.requests.slice(mark).map((r) => `${r.operation ?? r.service}:${r.status}`);
    const code = ops.indexOf('UpdateFunctionCode:200');
    const config = ops.lastIndexOf('UpdateFunctionConfiguration:200');
    assert.ok(code >= 0 && config > code, ops.join(' '));
    // Between the two: polls until Successful.
    assert.ok(
      ops.slice(code + 1, config).some((o) => o.startsWith('GetFunction:')),
      ops.join(' '),
    );
    assert.ok(ops.includes('UpdateFunctionConfiguration:409'), 'the fake did answer 409 once');
    assert.equal(fake.calls('CreateFunction').length, 3, 'no second create');
    assert.equal(updated.bundleHash, bundle.hash);
    const fn = fake.state.functions.get('kagg-squares');
    assert.equal(fn?.memorySize, 512);
    assert.equal(fn?.lastUpdateStatus, 'Successful');
    const values = [2, 3];
    const res = await post(updated.url, { values });
    assert.equal(
      res.body.sum_of_cubes,
      values.reduce((n, v) => n + v ** 3, 0),
    );
    assert.equal(res.headers.get('x-kagg-cold'), '0', 'the health call was the cold start of the new version');
  });

  test('describe reports ready, pending during an update, and missing', async () => {
    const target = createAwsTarget(seamFor(fake));
    const ctx = recordingContext('squares', opts());
    assert.equal((await target.describe(first, ctx)).state, 'ready');
    fake.inject.updateInProgress('kagg-squares', 5);
    const pending = await target.describe(first, ctx);
    assert.equal(pending.state, 'pending');
    assert.match(pending.detail ?? '', /InProgress/);
    assert.equal((await target.describe({ ...first, name: 'nothing', providerIds: {} }, ctx)).state, 'missing');
  });

  test('a private deploy answers 403 unsigned and the computed value when invoked with a SigV4-signed request', async () => {
    const target = createAwsTarget(seamFor(fake));
    const bundle = await bundleOf('secret-squares', SUM_OF_SQUARES);
    const artifact = await target.package(bundle, opts({ public: false }));
    const ctx = recordingContext('secret-squares', opts({ public: false }));
    const deployment = await target.deploy(artifact, ctx);
    assert.equal(deployment.auth, 'private');
    assert.equal(fake.state.functions.get('kagg-secret-squares')?.url?.authType, 'AWS_IAM');
    assert.deepEqual(fake.state.functions.get('kagg-secret-squares')?.statements, [], 'no public grant');

    const unsigned = await fetch(deployment.url, {
      method: 'POST',
      body: '{"values":[1]}',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(unsigned.status, 403);

    const invocation = await target.invocation(deployment);
    assert.equal(invocation.url, deployment.url);
    assert.ok(invocation.sign, 'private invocations sign');
    const body = JSON.stringify({ values: [6, 8] });
    const headers = { 'content-type': 'application/json' };
    const signed = await invocation.sign({ method: 'POST', url: invocation.url, headers, body });
    assert.match(
      signed.authorization ?? '',
      /^AWS4-HMAC-SHA256 Credential=\w+\/\d{8}\/us-east-1\/lambda\/aws4_request/,
    );
    const res = await post(invocation.url, { values: [6, 8] }, signed);
    assert.equal(res.status, 200);
    assert.equal(res.body.sum_of_squares, 100);

    // A signature over another body does not pass.
    const tampered = await fetch(invocation.url, {
      method: 'POST',
      headers: { ...headers, ...signed },
      body: JSON.stringify({ values: [7] }),
    });
    assert.equal(tampered.status, 403);
    // Switching it public later adds both grants; switching back removes them.
    const pub = await target.deploy(
      artifact,
      recordingContext('secret-squares', opts({ public: true }), { previous: deployment }),
    );
    assert.equal(pub.auth, 'public');
    assert.equal((await post(pub.url, { values: [1, 1] })).body.sum_of_squares, 2);
    await target.deploy(artifact, recordingContext('secret-squares', opts({ public: false }), { previous: pub }));
    assert.deepEqual(fake.state.functions.get('kagg-secret-squares')?.statements, []);
    assert.equal((await fetch(pub.url)).status, 403);
  });

  test('a public URL without the InvokeFunction grant is refused by the fake (dual auth)', async () => {
    const fn = fake.state.functions.get('kagg-squares');
    assert.ok(fn);
    const saved = fn.statements;
    fn.statements = saved.filter((s) => s.Sid !== INVOKE_SID);
    try {
      assert.equal((await fetch(first.url)).status, 403);
    } finally {
      fn.statements = saved;
    }
    assert.equal((await fetch(first.url)).status, 200);
  });

  test('destroy removes the URL, both permissions and the function; the role stays', async () => {
    const target = createAwsTarget(seamFor(fake));
    const mark = fake.requests.length;
    await target.destroy(first, recordingContext('squares', opts()));
    const ops = fake.requests
      .slice(mark)
      .filter((r) => r.service === 'lambda' || r.service === 'iam')
      .map((r) => `${r.operation}:${r.status}`);
    assert.deepEqual(ops, [
      'DeleteFunctionUrlConfig:204',
      'RemovePermission:204',
      'RemovePermission:204',
      'DeleteFunction:204',
    ]);
    assert.equal(fake.state.functions.has('kagg-squares'), false);
    assert.ok(fake.state.roles.has(ROLE_NAME));
    assert.equal((await fetch(first.url)).status, 404);
    assert.equal((await target.describe(first, recordingContext('squares', opts()))).state, 'missing');
    // Destroying again is harmless.
    await target.destroy(first, recordingContext('squares', opts()));
  });

  test('destroy with deleteRole refuses while another function uses the role, then removes it', async () => {
    const target = createAwsTarget(seamFor(fake));
    const deployment = await target.deploy(
      await target.package(await bundleOf('short-lived', SUM_OF_SQUARES), opts()),
      recordingContext('short-lived', opts()),
    );
    const withDeleteRole = { ...recordingContext('short-lived', opts()), options: { deleteRole: true } } as never;
    const writes = fake.writes().length;
    await assert.rejects(target.destroy(deployment, withDeleteRole), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'AWS_ROLE_IN_USE');
      assert.match(error.message, /1 other function\(s\) still use it \(kagg-secret-squares\)/);
      return true;
    });
    assert.equal(fake.writes().length, writes, 'a refusal removes nothing');
    const other = fake.state.functions.get('kagg-secret-squares');
    assert.ok(other);
    await target.destroy(
      {
        target: 'aws',
        name: 'secret-squares',
        url: '',
        auth: 'private',
        bundleHash: '',
        providerIds: {},
        region: 'us-east-1',
      },
      recordingContext('secret-squares', opts()),
    );
    await target.destroy(deployment, withDeleteRole);
    assert.equal(fake.state.roles.has(ROLE_NAME), false);
    assert.equal(fake.state.functions.has('kagg-short-lived'), false);
  });
});

describe('aws target: errors explained before anything is made', () => {
  let fake: AwsFake;
  before(async () => {
    fake = await startAwsFake({ buckets: ['kagg-staging'] });
  });
  after(async () => {
    await fake.close();
  });

  test('an unknown access key: the message names the credential source, never the secret', async () => {
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    const target = createAwsTarget(
      seamFor(fake, { credentials: { accessKeyId: 'AKIAUNKNOWN000000042', secretAccessKey: secret } }),
    );
    const artifact = await target.package(await bundleOf('nokey', SUM_OF_SQUARES), opts());
    await assert.rejects(
      target.deploy(artifact, recordingContext('nokey', opts())),
      (error: Error & { code?: string; action?: string }) => {
        assert.equal(error.name, 'KaggError');
        assert.equal(error.code, 'AWS_CREDENTIALS_INVALID');
        assert.match(error.message, /AWS rejected the credentials from the credentials given to the aws target/);
        assert.match(error.message, /AKIA…0042/);
        assert.match(error.message, /UnrecognizedClientException/);
        assert.ok(!error.message.includes(secret) && !(error.action ?? '').includes(secret));
        return true;
      },
    );
    assert.deepEqual(fake.writes(), []);
  });

  test('the right key with a wrong secret fails the signature check, explained the same way', async () => {
    const target = createAwsTarget(
      seamFor(fake, { credentials: { accessKeyId: fake.accessKeyId, secretAccessKey: 'not-the-secret-at-all' } }),
    );
    const artifact = await target.package(await bundleOf('badsig', SUM_OF_SQUARES), opts());
    await assert.rejects(
      target.deploy(artifact, recordingContext('badsig', opts())),
      (error: Error & { code?: string }) => {
        assert.equal(error.code, 'AWS_CREDENTIALS_INVALID');
        assert.match(error.message, /InvalidSignatureException/);
        assert.ok(!error.message.includes('not-the-secret-at-all'));
        return true;
      },
    );
  });

  test('a missing region names --region, AWS_REGION and targets.aws.region, and calls nothing', async () => {
    const mark = fake.requests.length;
    const target = createAwsTarget(
      seamFor(fake, {
        env: {
          PATH: process.env.PATH ?? '',
          AWS_CONFIG_FILE: '/nonexistent/kagg-aws-config',
          AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/kagg-aws-credentials',
        },
      }),
    );
    const saved = {
      AWS_REGION: process.env.AWS_REGION,
      AWS_DEFAULT_REGION: process.env.AWS_DEFAULT_REGION,
      AWS_CONFIG_FILE: process.env.AWS_CONFIG_FILE,
    };
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    process.env.AWS_CONFIG_FILE = '/nonexistent/kagg-aws-config';
    try {
      const noRegion: AwsOptions = { memory: 256 };
      const artifact = await target.package(await bundleOf('nowhere', SUM_OF_SQUARES), noRegion);
      await assert.rejects(
        target.deploy(artifact, recordingContext('nowhere', noRegion)),
        (error: Error & { code?: string; action?: string; exitCode?: number }) => {
          assert.equal(error.code, 'AWS_REGION_MISSING');
          assert.equal(error.exitCode, 2);
          const text = `${error.message} ${error.action}`;
          for (const word of ['--region', 'AWS_REGION', 'targets.aws.region'])
            assert.ok(text.includes(word), `mentions ${word}: ${text}`);
          return true;
        },
      );
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
    assert.equal(fake.requests.length, mark);
  });

  test('a package over the unzipped limit is refused at package time, listing the largest contributors', async () => {
    const target = createAwsTarget(seamFor(fake, { limits: { unzippedBytes: 200_000 } }));
    const bundle = await bundleOf('heavy', SUM_OF_SQUARES);
    bundle.files.push({ path: 'kaggle/input/weights.bin', data: new Uint8Array(300_000).fill(7) });
    const mark = fake.requests.length;
    await assert.rejects(target.package(bundle, opts()), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'AWS_PACKAGE_TOO_LARGE');
      assert.match(error.message, /over Lambda's limit/);
      assert.match(error.message, /largest: kaggle 0\.3 MB, kagg_runtime\.py/);
      return true;
    });
    assert.equal(fake.requests.length, mark, 'nothing was sent');
  });

  test('over the inline zip limit without a bucket: refused before any call; with a bucket: staged in S3', async () => {
    const small = { zipBytes: 10_000 };
    const target = createAwsTarget(seamFor(fake, { limits: small }));
    const artifact = await target.package(await bundleOf('staged', SUM_OF_SQUARES), opts());
    assert.ok(artifact.zip.byteLength > small.zipBytes);
    assert.equal(artifact.metadata.upload, 's3');
    const mark = fake.requests.length;
    await assert.rejects(target.deploy(artifact, recordingContext('staged', opts())), /no S3 bucket is set/);
    assert.equal(fake.requests.length, mark);

    const deployment = await target.deploy(artifact, recordingContext('staged', opts({ bucket: 'kagg-staging' })));
    const put = fake.calls('PutObject');
    assert.equal(put.length, 1);
    assert.equal(put[0]?.headers['content-type'], 'application/zip');
    assert.deepEqual(new Uint8Array(put[0]?.body ?? []), artifact.zip);
    const create = JSON.parse(fake.calls('CreateFunction').at(-1)?.body.toString() ?? '{}');
    assert.equal(create.Code.ZipFile, undefined);
    assert.equal(create.Code.S3Bucket, 'kagg-staging');
    assert.match(create.Code.S3Key, /^kagg\/kagg-staged\/[0-9a-f]{64}\.zip$/);
    assert.equal((await post(deployment.url, { values: [1, 2] })).body.sum_of_squares, 5);
  });
});
