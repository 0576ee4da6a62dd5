/**
 * The AWS fake is strict (contract §7.2), checked with the real SDK clients: unknown routes, missing
 * fields, the role-propagation refusal, Pending → Active after N polls, 409 on overlapping updates,
 * on a second URL config and on a duplicate statement id.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  AddPermissionCommand,
  CreateFunctionCommand,
  CreateFunctionUrlConfigCommand,
  GetFunctionCommand,
  LambdaClient,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { CreateBucketCommand, HeadBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { zipFiles } from '@kagg/core/bundle';
import { type AwsFake, startAwsFake } from '@kagg/testkit/aws-fake';

describe('AWS fake strictness', () => {
  let fake: AwsFake;
  let lambda: LambdaClient;
  let iam: IAMClient;
  const zip = zipFiles([
    { path: 'handler.py', data: new TextEncoder().encode('def handler(e, c):\n    return {"statusCode": 200}\n') },
  ]);

  before(async () => {
    fake = await startAwsFake({ pendingPolls: 2, updatePolls: 1, rolePropagationFailures: 1 });
    const config = {
      region: 'us-east-1',
      endpoint: fake.url,
      maxAttempts: 1,
      credentials: { accessKeyId: fake.accessKeyId, secretAccessKey: fake.secretAccessKey },
    };
    lambda = new LambdaClient(config);
    iam = new IAMClient(config);
  });
  after(async () => {
    lambda.destroy();
    iam.destroy();
    await fake.close();
  });

  const errorOf = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (error) {
      return error as Error & { $metadata?: { httpStatusCode?: number } };
    }
    assert.fail('expected a failure');
  };

  test('an unknown route is a 404 UnknownOperationException', async () => {
    const res = await fetch(`${fake.url}/2099-01-01/functions/x/teleport`, { method: 'POST' });
    assert.equal(res.status, 404);
    assert.equal(res.headers.get('x-amzn-errortype'), 'UnknownOperationException');
  });

  test('CreateFunction: missing fields refused; a brand-new role refused once, then Pending → Active after the polls', async () => {
    const role = await iam.send(
      new CreateRoleCommand({
        RoleName: 'r1',
        AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [] }),
      }),
    );
    const base = { FunctionName: 'f1', Role: role.Role?.Arn, Code: { ZipFile: zip }, Handler: 'handler.handler' };
    const missing = await errorOf(lambda.send(new CreateFunctionCommand(base)));
    assert.equal(missing.name, 'InvalidParameterValueException');
    assert.match(missing.message, /Runtime and Handler are mandatory/);

    const propagating = await errorOf(lambda.send(new CreateFunctionCommand({ ...base, Runtime: 'python3.12' })));
    assert.equal(propagating.name, 'InvalidParameterValueException');
    assert.match(propagating.message, /cannot be assumed by Lambda/);

    const created = await lambda.send(new CreateFunctionCommand({ ...base, Runtime: 'python3.12' }));
    assert.equal(created.State, 'Pending');
    const states: string[] = [];
    for (let i = 0; i < 3; i++)
      states.push(String((await lambda.send(new GetFunctionCommand({ FunctionName: 'f1' }))).Configuration?.State));
    assert.deepEqual(states, ['Pending', 'Pending', 'Active']);
    const again = await errorOf(lambda.send(new CreateFunctionCommand({ ...base, Runtime: 'python3.12' })));
    assert.equal(again.name, 'ResourceConflictException');
  });

  test('an update while another is InProgress is a 409 ResourceConflictException', async () => {
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'f1', MemorySize: 256 }));
    const conflict = await errorOf(
      lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'f1', Timeout: 10 })),
    );
    assert.equal(conflict.name, 'ResourceConflictException');
    assert.equal(conflict.$metadata?.httpStatusCode, 409);
    assert.match(conflict.message, /An update is in progress/);
  });

  test('a second URL config and a duplicate statement id are 409s', async () => {
    await lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'f1', AuthType: 'NONE' }));
    const second = await errorOf(
      lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'f1', AuthType: 'NONE' })),
    );
    assert.equal(second.name, 'ResourceConflictException');
    const perm = {
      FunctionName: 'f1',
      StatementId: 's1',
      Action: 'lambda:InvokeFunctionUrl',
      Principal: '*',
      FunctionUrlAuthType: 'NONE' as const,
    };
    await lambda.send(new AddPermissionCommand(perm));
    const dup = await errorOf(lambda.send(new AddPermissionCommand(perm)));
    assert.equal(dup.name, 'ResourceConflictException');
    assert.match(dup.message, /statement id \(s1\) provided already exists/);
    // Only one of the two grants: the public URL stays closed.
    assert.equal((await fetch(`${fake.url}/fn/f1/`)).status, 403);
  });

  test("S3 as the SDK calls it path-style: CreateBucket (its path ends with '/'), HeadBucket, PutObject", async () => {
    const s3 = new S3Client({
      region: 'us-east-1',
      endpoint: fake.url,
      forcePathStyle: true,
      maxAttempts: 1,
      credentials: { accessKeyId: fake.accessKeyId, secretAccessKey: fake.secretAccessKey },
    });
    try {
      const missing = await errorOf(s3.send(new PutObjectCommand({ Bucket: 'b1', Key: 'k.zip', Body: 'zip' })));
      assert.equal(missing.name, 'NoSuchBucket');
      await s3.send(new CreateBucketCommand({ Bucket: 'b1' }));
      assert.equal((await s3.send(new HeadBucketCommand({ Bucket: 'b1' }))).$metadata.httpStatusCode, 200);
      await s3.send(new PutObjectCommand({ Bucket: 'b1', Key: 'k.zip', Body: 'zip' }));
      const again = await errorOf(s3.send(new CreateBucketCommand({ Bucket: 'b1' })));
      assert.equal(again.name, 'BucketAlreadyOwnedByYou');
    } finally {
      s3.destroy();
    }
  });
});
