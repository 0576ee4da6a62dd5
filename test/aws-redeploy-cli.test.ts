/**
 * `kagg deploy --aws` redeploys as a user runs them, against the strict AWS fake: a settings-only
 * change reaches Lambda as a configuration update (no code upload), --private closes the URL, and a
 * deploy stopped half-way leaves a pending registry entry that `kagg destroy` cleans up completely
 * and the next deploy resumes.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EndpointRegistry } from '@kagg/core/registry';
import { type AwsFake, startAwsFake } from '@kagg/testkit/aws-fake';
import { awsCliEnv } from './aws-helpers.ts';
import { cleanup, FIXTURES, kaggJson, tempDir } from './helpers.ts';

interface DeployJson {
  changed: boolean;
  written: string[];
  auth: string;
}

describe('kagg deploy --aws: redeploys that do what was asked', () => {
  const home = tempDir();
  const registry = new EndpointRegistry(path.join(home, 'endpoints.json'));
  let fake: AwsFake;
  let env: NodeJS.ProcessEnv;
  const deploy = (name: string, ...extra: string[]) =>
    kaggJson<DeployJson>(['deploy', path.join(FIXTURES, 'pm-basic.ipynb'), '--aws', '--name', name, ...extra], env);

  before(async () => {
    fake = await startAwsFake();
    env = await awsCliEnv(home, fake);
  });
  after(async () => {
    await cleanup(home);
    await fake.close();
  });

  it('--memory alone updates the configuration; --private alone the URL auth; the same again nothing', async () => {
    const first = await deploy('sized');
    assert.equal(first.code, 0, first.stderr);
    const code = fake.calls('UpdateFunctionCode').length;
    const bigger = await deploy('sized', '--memory', '2048');
    assert.equal(bigger.code, 0, bigger.stderr);
    assert.equal(bigger.json.changed, true);
    assert.deepEqual(bigger.json.written, ['config']);
    assert.equal(fake.state.functions.get('kagg-sized')?.memorySize, 2048);
    assert.equal(fake.calls('UpdateFunctionCode').length, code, 'no code upload');

    const closed = await deploy('sized', '--memory', '2048', '--private');
    assert.equal(closed.json.auth, 'private');
    assert.deepEqual(closed.json.written, ['auth']);
    assert.equal(fake.state.functions.get('kagg-sized')?.url?.authType, 'AWS_IAM');

    const writes = fake.writes().length;
    const same = await deploy('sized', '--memory', '2048', '--private');
    assert.equal(same.json.changed, false);
    assert.equal(fake.writes().length, writes);

    const forced = await deploy('sized', '--memory', '2048', '--private', '--force');
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal(forced.json.changed, false, '--force with nothing to write changes nothing');
    assert.equal(fake.writes().length, writes);
  });

  it('a deploy stopped after the function was created: pending entry, destroy removes everything', async () => {
    fake.inject.denyNext('CreateFunctionUrlConfig');
    const failed = await deploy('halfway');
    assert.equal(failed.code, 1);
    assert.ok(fake.state.functions.has('kagg-halfway'), 'the function was made');
    const entry = await registry.require('halfway');
    assert.equal(entry.state, 'pending');
    assert.equal(entry.providerIds.functionName, 'kagg-halfway');
    assert.equal(entry.providerIds.region, 'eu-west-1');
    const gone = await kaggJson(['destroy', 'halfway'], env);
    assert.equal(gone.code, 0, gone.stderr);
    assert.ok(!fake.state.functions.has('kagg-halfway'), 'destroy removed the function');
    assert.equal(await registry.get('halfway'), undefined);
  });

  it('a deploy stopped half-way is resumed by the next deploy', async () => {
    fake.inject.denyNext('AddPermission');
    assert.equal((await deploy('resumed')).code, 1);
    assert.equal((await registry.require('resumed')).state, 'pending');
    const again = await deploy('resumed');
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(again.json.written, ['auth'], 'only the missing grants');
    assert.equal((await registry.require('resumed')).state, undefined);
    const answer = await kaggJson<{ body: unknown }>(['invoke', 'resumed', '--data', '{"a": 1, "b": 2}'], env);
    assert.deepEqual(answer.json.body, { sum: 3 });
  });

  it('a first deploy refused before anything was made leaves no entry', async () => {
    const refused = await deploy('nothing', '--region', 'us-est-1');
    assert.equal(refused.code, 2);
    assert.match(JSON.stringify(refused.json), /did you mean us-east-1/);
    assert.equal(await registry.get('nothing'), undefined);
  });
});
