// 16 kagg processes mixing deploy, destroy and endpoints list on one KAGG_HOME, on the local target
// and on aws against its fake: no lost update, no duplicate, every process ends with exit 0 (or a
// lock timeout that one retry resolves), and the registry ends as the operations imply.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type AwsFake, startAwsFake } from '@kagg/testkit/aws-fake';
import { concurrentMix } from './fixtures/crash/harness.ts';
import { cleanup, isolatedEnv, kagg, ROOT, tempDir } from './helpers.ts';

describe('16 concurrent kagg processes on one KAGG_HOME', () => {
  it('local target: the registry ends with exactly the new endpoints, each serving', async () => {
    const home = tempDir('kagg-concurrent-local-');
    try {
      await concurrentMix(home, isolatedEnv(home), '--local');
      const env = isolatedEnv(home);
      const answer = await kagg(['invoke', 'new-5', '--data', '{"a": 2, "b": 3}', '--json'], env);
      assert.deepEqual(JSON.parse(answer.stdout).body, { sum: 5 });
    } finally {
      await cleanup(home);
    }
  });

  describe('aws target against the fake', () => {
    let fake: AwsFake;
    before(async () => {
      fake = await startAwsFake();
    });
    after(() => fake.close());

    it('the registry and the fake both end with exactly the new functions', async () => {
      const home = tempDir('kagg-concurrent-aws-');
      const env = isolatedEnv(home, {
        AWS_ENDPOINT_URL: fake.url,
        AWS_ACCESS_KEY_ID: fake.accessKeyId,
        AWS_SECRET_ACCESS_KEY: fake.secretAccessKey,
        AWS_REGION: 'eu-west-1',
        AWS_EC2_METADATA_DISABLED: 'true',
        KAGG_AWS_POLL_MS: '10',
      });
      try {
        const linked = await kagg(['plugins', 'link', path.join(ROOT, 'plugins', 'aws'), '--no-install'], env);
        assert.equal(linked.code, 0, linked.stderr);
        await concurrentMix(home, env, '--aws');
        assert.deepEqual(
          [...fake.state.functions.keys()].sort(),
          Array.from({ length: 8 }, (_, i) => `kagg-new-${i}`),
        );
      } finally {
        await cleanup(home);
      }
    });
  });
});
