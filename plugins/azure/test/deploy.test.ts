/**
 * The azure target with the real Azure SDK clients against the strict HTTPS fake: keyed and
 * anonymous deploys, the unchanged no-op, keys retried after creation, a failed remote build
 * reported with its log, and the errors a user meets (bad subscription, expired token, a name taken
 * in Azure), none of which prints a key.
 */
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { resourceNameOf } from '@kagg/core/naming';
import type { DeployContext, Deployment, DeployTarget } from '@kagg/plugin-api';
import { type AzureFake, startAzureFake, trustAzureFake } from '@kagg/testkit/azure-fake';
import { adderBundle } from '@kagg/testkit/conformance';
import { tempDir } from '@kagg/testkit/temp';
import { type AzureOptions, createAzureTarget, keyFileOf, SITE_NAMING } from '../dist/index.js';

const home = tempDir('kagg-azure-test-');
let fake: AzureFake;
let seamEnv: NodeJS.ProcessEnv;
const said: string[] = [];

function target(env: NodeJS.ProcessEnv = seamEnv): DeployTarget<AzureOptions> {
  return createAzureTarget({ env, pollMs: 2 });
}

function context(name: string, options: AzureOptions = {}, previous?: Deployment): DeployContext<AzureOptions> {
  return {
    name,
    resourceName: resourceNameOf(name, SITE_NAMING),
    options,
    env: {},
    stateDir: home,
    logDir: home,
    progress: (stage, detail) => said.push(`${stage} ${detail ?? ''}`),
    log: { info() {}, warn() {}, debug() {} },
    signal: new AbortController().signal,
    ...(previous ? { previous } : {}),
  };
}

async function deploy(name: string, options: AzureOptions = {}, previous?: Deployment, t = target()) {
  const bundle = await adderBundle(name);
  return t.deploy(await t.package(bundle, options), context(name, options, previous));
}

async function post(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { method: 'POST', body: '{"a": 40, "b": 2}', headers });
  return { status: res.status, body: await res.text() };
}

before(async () => {
  fake = await startAzureFake({ keyFailures: 2 });
  trustAzureFake(fake);
  seamEnv = {
    KAGG_HOME: home,
    KAGG_AZURE_ARM_ENDPOINT: fake.url,
    KAGG_AZURE_ACCESS_TOKEN: fake.token,
    AZURE_SUBSCRIPTION_ID: fake.subscriptionId,
  };
});
after(() => fake.close());

describe('azure target against the fake', () => {
  let keyed: Deployment;

  it('deploys with a function key by default: a call without the key is refused, invocation carries it', async () => {
    keyed = await deploy('keyed');
    assert.equal(keyed.auth, 'private');
    assert.deepEqual(fake.resourceGroups(), ['kagg']);
    assert.ok(fake.sites().includes('kagg-keyed'));
    assert.ok(
      said.some((s) => s.startsWith('waiting for the function keys')),
      'listkeys was retried',
    );
    assert.equal((await post(keyed.url)).status, 401);
    const invocation = await target().invocation(keyed);
    const answer = await post(invocation.url, invocation.headers);
    assert.equal(answer.status, 200, answer.body);
    assert.deepEqual(JSON.parse(answer.body), { sum: 42 });
    const keyFile = keyFileOf('kagg-keyed', { env: seamEnv });
    assert.equal(statSync(keyFile).mode & 0o777, 0o600);
    const key = readFileSync(keyFile, 'utf8');
    assert.equal(invocation.headers['x-functions-key'], key);
    assert.ok(!JSON.stringify(keyed).includes(key), 'the key is not in the deployment record');
    assert.ok(!said.join('\n').includes(key), 'the key is not in the progress output');
  });

  it('sets the site up the Flex way: no app setting Flex rejects', () => {
    const settings = fake.appSettings('kagg-keyed') ?? {};
    assert.ok(settings.AzureWebJobsStorage && settings.DEPLOYMENT_STORAGE_CONNECTION_STRING);
    for (const rejected of ['FUNCTIONS_WORKER_RUNTIME', 'WEBSITE_RUN_FROM_PACKAGE', 'SCM_DO_BUILD_DURING_DEPLOYMENT'])
      assert.ok(!(rejected in settings), rejected);
  });

  it('redeploys an unchanged notebook without a single write', async () => {
    const before_ = fake.writes().length;
    const again = await deploy('keyed', {}, keyed);
    assert.deepEqual(again.written, []);
    assert.equal(fake.writes().length, before_);
  });

  it('--public redeploys the code as anonymous: the URL answers without a key', async () => {
    const open = await deploy('keyed', { public: true }, keyed);
    assert.equal(open.auth, 'public');
    assert.ok(open.written?.includes('code'));
    assert.deepEqual((await target().invocation(open)).headers, {});
    assert.deepEqual(JSON.parse((await post(open.url)).body), { sum: 42 });
    keyed = open;
  });

  it('reports a failed remote build with its log, keeping the running version', async () => {
    fake.failNextBuild(['ERROR: Could not find a version that satisfies the requirement torch==0.0.1']);
    const t = target();
    const bundle = { ...(await adderBundle('keyed')), requirements: ['torch==0.0.1'] };
    await assert.rejects(
      t.deploy(await t.package(bundle, { public: true }), context('keyed', { public: true }, keyed)),
      (error: Error & { code?: string }) => {
        assert.equal(error.code, 'AZURE_BUILD_FAILED');
        assert.match(error.message, /remote build of kagg-keyed ended Failed[\s\S]*torch==0\.0\.1/);
        return true;
      },
    );
    assert.deepEqual(JSON.parse((await post(keyed.url)).body), { sum: 42 }, 'the previous code still answers');
    const retried = await deploy('keyed', { public: true }, keyed);
    assert.deepEqual(retried.written, [], 'the failed build left the recorded package unchanged');
  });

  it('a site name taken elsewhere in Azure is a clear error', async () => {
    const taken = await startAzureFake({ takenSiteNames: ['kagg-taken'] });
    trustAzureFake(taken);
    try {
      const env = {
        ...seamEnv,
        KAGG_AZURE_ARM_ENDPOINT: taken.url,
        KAGG_AZURE_ACCESS_TOKEN: taken.token,
        AZURE_SUBSCRIPTION_ID: taken.subscriptionId,
      };
      await assert.rejects(deploy('taken', {}, undefined, target(env)), (error: Error & { code?: string }) => {
        assert.equal(error.code, 'AZURE_NAME_TAKEN');
        assert.match(error.message, /kagg-taken is taken in Azure.*already exists/);
        return true;
      });
    } finally {
      await taken.close();
    }
  });

  it('a bad subscription and an expired token name what to fix', async () => {
    await assert.rejects(
      deploy(
        'nosub',
        {},
        undefined,
        target({ ...seamEnv, AZURE_SUBSCRIPTION_ID: '11111111-2222-4333-8444-555555555555' }),
      ),
      (error: Error & { code?: string; action?: string }) => {
        assert.equal(error.code, 'AZURE_SUBSCRIPTION_NOT_FOUND');
        assert.match(error.action ?? '', /AZURE_SUBSCRIPTION_ID/);
        return true;
      },
    );
    await assert.rejects(
      deploy('expired', {}, undefined, target({ ...seamEnv, KAGG_AZURE_ACCESS_TOKEN: 'stale-token' })),
      (error: Error & { code?: string; action?: string }) => {
        assert.equal(error.code, 'AZURE_AUTH');
        assert.match(error.message, /ExpiredAuthenticationToken/);
        assert.match(error.action ?? '', /az login/);
        return true;
      },
    );
    assert.ok(!fake.sites().includes('kagg-nosub') && !fake.sites().includes('kagg-expired'));
  });

  it('destroys the site, plan, storage account and the stored key; the group stays unless asked', async () => {
    const t = target();
    await t.destroy(keyed, { ...context('keyed'), options: {} });
    assert.ok(!fake.sites().includes('kagg-keyed'));
    assert.ok(!fake.plans().includes('kagg-keyed'));
    assert.equal((await t.describe(keyed, context('keyed'))).state, 'missing');
    assert.throws(() => statSync(keyFileOf('kagg-keyed', { env: seamEnv })));
    assert.deepEqual(fake.resourceGroups(), ['kagg']);
    const other = await deploy('grouped', { resourceGroup: 'kagg-own', public: true });
    assert.equal(other.providerIds.groupCreated, 1);
    await t.destroy(other, { ...context('grouped'), options: { resourceGroup: 'kagg-own', deleteGroup: true } });
    assert.deepEqual(fake.resourceGroups(), ['kagg']);
  });
});
