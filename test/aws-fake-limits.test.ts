/**
 * The AWS fake is as strict as AWS where kagg's limits matter, checked with the real SDK clients:
 * reserved environment variables and the 4 KB environment refused by the call AWS refuses them at
 * (CreateFunction, UpdateFunctionConfiguration), a region that has no AWS host, and CloudWatch Logs
 * that only receive a function's output when its role may write logs.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CreateFunctionCommand,
  GetFunctionCommand,
  LambdaClient,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { zipFiles } from '@kagg/core/bundle';
import { type AwsFake, startAwsFake } from '@kagg/testkit/aws-fake';

describe('AWS fake: limits where AWS checks them', () => {
  let fake: AwsFake;
  let lambda: LambdaClient;
  let role: string;
  const client = (region: string) =>
    new LambdaClient({
      region,
      endpoint: fake.url,
      maxAttempts: 1,
      credentials: { accessKeyId: fake.accessKeyId, secretAccessKey: fake.secretAccessKey },
    });
  const create = (name: string, variables: Record<string, string>) =>
    lambda.send(
      new CreateFunctionCommand({
        FunctionName: name,
        Role: role,
        Runtime: 'python3.12',
        Handler: 'handler.handler',
        Code: {
          ZipFile: zipFiles([
            { path: 'handler.py', data: new TextEncoder().encode('def handler(e, c):\n    return 1\n') },
          ]),
        },
        Environment: { Variables: variables },
      }),
    );

  before(async () => {
    fake = await startAwsFake({ pendingPolls: 0 });
    lambda = client('us-east-1');
    role = fake.inject.role('limits-role');
  });
  after(async () => {
    lambda.destroy();
    await fake.close();
  });

  test('CreateFunction refuses reserved variables by name, and an environment over 4 KB', async () => {
    await assert.rejects(create('reserved', { AWS_REGION: 'x', OK: 'y' }), (error: Error) => {
      assert.equal(error.name, 'InvalidParameterValueException');
      assert.match(error.message, /reserved keys .* Reserved keys used in this request: AWS_REGION$/);
      return true;
    });
    await assert.rejects(create('huge', { BLOB: 'x'.repeat(4090) }), /exceeded the 4KB limit/);
    assert.equal(fake.state.functions.size, 0);
  });

  test('UpdateFunctionConfiguration refuses the same, leaving the configuration as it was', async () => {
    await create('fits', { SMALL: 'y' });
    await lambda.send(new GetFunctionCommand({ FunctionName: 'fits' })); // Pending → Active
    await assert.rejects(
      lambda.send(
        new UpdateFunctionConfigurationCommand({
          FunctionName: 'fits',
          Environment: { Variables: { BLOB: 'x'.repeat(5000) } },
        }),
      ),
      /exceeded the 4KB limit/,
    );
    assert.deepEqual(fake.state.functions.get('fits')?.environment, { SMALL: 'y' });
  });

  test('a region with no AWS host: the connection fails, nothing is recorded as answered', async () => {
    const nowhere = client('us-est-1');
    try {
      await assert.rejects(
        nowhere.send(new GetFunctionCommand({ FunctionName: 'fits' })),
        (error: Error & { code?: string }) => {
          assert.ok(
            ['ECONNRESET', 'EPIPE', 'ECONNREFUSED'].includes(String(error.code)) ||
              /socket hang up/.test(error.message),
            `${error.name}: ${error.message}`,
          );
          return true;
        },
      );
    } finally {
      nowhere.destroy();
    }
    assert.equal(fake.requests.at(-1)?.status, 0);
  });
});
