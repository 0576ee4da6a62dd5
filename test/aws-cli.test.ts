/**
 * `kagg deploy --aws` as a user runs it: the aws plugin linked into an isolated kagg, the real AWS
 * SDK pointed at the strict fake through the SDK's standard variables, credentials injected.
 * Public deploy → invoke → unchanged no-op → private deploy invoked with a SigV4-signed request →
 * destroy; the secret key never appears in any output or in the registry.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type AwsFake, startAwsFake } from '@kagg/testkit/aws-fake';
import { awsCliEnv } from './aws-helpers.ts';
import { cleanup, FIXTURES, kaggJson, tempDir } from './helpers.ts';

const DEPLOY_ADDER = ['deploy', path.join(FIXTURES, 'pm-basic.ipynb'), '--aws', '--name', 'adder', '--memory', '512'];

describe('kagg deploy --aws through the CLI', () => {
  const home = tempDir();
  let fake: AwsFake;
  let env: NodeJS.ProcessEnv;
  const outputs: string[] = [];
  const run = async <T>(args: string[]) => {
    const r = await kaggJson<T>(args, env);
    outputs.push(r.stdout, r.stderr);
    return r;
  };

  before(async () => {
    fake = await startAwsFake({ rolePropagationFailures: 2 });
    env = await awsCliEnv(home, fake);
  });
  after(async () => {
    await cleanup(home);
    await fake.close();
  });

  it('deploys publicly, absorbing role propagation, and the URL computes the answer', async () => {
    const dep = await run<{ target: string; url: string; auth: string; changed: boolean }>(DEPLOY_ADDER);
    assert.equal(dep.code, 0, dep.stderr);
    assert.equal(dep.json.target, 'aws');
    assert.equal(dep.json.auth, 'public');
    assert.ok(dep.json.url.startsWith(fake.url), dep.json.url);
    const answer = await run<{ status: number; body: unknown }>(['invoke', 'adder', '--data', '{"a": 40, "b": 2}']);
    assert.equal(answer.json.status, 200);
    assert.deepEqual(answer.json.body, { sum: 42 });
  });

  it('redeploys an unchanged notebook without any write to AWS', async () => {
    const before_ = fake.writes().length;
    const again = await run<{ changed: boolean }>(DEPLOY_ADDER);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.json.changed, false);
    assert.equal(fake.writes().length, before_);
  });

  it('deploys privately; kagg invoke signs the request with SigV4', async () => {
    const dep = await run<{ auth: string; url: string }>([
      'deploy',
      path.join(FIXTURES, 'params-basic.ipynb'),
      '--aws',
      '--private',
      '--name',
      'greeter',
    ]);
    assert.equal(dep.code, 0, dep.stderr);
    assert.equal(dep.json.auth, 'private');
    const unsigned = await fetch(dep.json.url, {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(unsigned.status, 403);
    const signed = await run<{ status: number; body: unknown }>(['invoke', 'greeter', '--data', '{"name": "aws"}']);
    assert.equal(signed.json.status, 200, JSON.stringify(signed.json));
    assert.deepEqual(signed.json.body, { greeting: 'hello aws', value: 3 });
  });

  it('destroys, and never shows the secret key anywhere', async () => {
    const gone = await run<{ destroyed: string }>(['destroy', 'greeter']);
    assert.equal(gone.code, 0, gone.stderr);
    assert.ok(!fake.state.functions.has('kagg-greeter'));
    assert.equal(fake.state.roles.size, 1, 'the execution role stays unless asked');
    const withRole = await run<{ destroyed: string }>(['destroy', 'adder', '--set', 'deleteRole=true']);
    assert.equal(withRole.code, 0, withRole.stderr);
    assert.equal(fake.state.roles.size, 0, '--set deleteRole=true removes the role kagg created');
    const registry = readFileSync(path.join(home, 'endpoints.json'), 'utf8');
    for (const text of [...outputs, registry]) assert.ok(!text.includes(fake.secretAccessKey), 'secret key leaked');
  });

  it('explains wrong credentials and a missing region', async () => {
    const wrong = await kaggJson<{ error: { message: string } }>(
      ['deploy', path.join(FIXTURES, 'pm-basic.ipynb'), '--aws', '--name', 'nope'],
      { ...env, AWS_SECRET_ACCESS_KEY: 'not-the-right-secret-0000000000000000000' },
    );
    assert.equal(wrong.code, 1);
    assert.match(wrong.json.error.message, /credential|signature|key/i);
    assert.ok(!wrong.stdout.includes('not-the-right-secret'));
    const noRegion = await kaggJson<{ error: { message: string; action: string } }>(
      ['deploy', path.join(FIXTURES, 'pm-basic.ipynb'), '--aws', '--name', 'nope'],
      { ...env, AWS_REGION: '', AWS_DEFAULT_REGION: '' },
    );
    assert.equal(noRegion.code, 2, 'a missing setting is a usage error');
    assert.match(noRegion.json.error.message, /region/i);
    assert.match(noRegion.json.error.action, /--region.*AWS_REGION.*targets\.aws\.region/);
  });
});
