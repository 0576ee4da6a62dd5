/**
 * Secret hygiene on every cloud target: the AWS, GCP, Cloud Run, Azure and container targets, each
 * against its strict fake on 127.0.0.1, with the fake's own credential a canary (the AWS secret key,
 * the GCP access and identity tokens, the Azure token), the other credential variables canaries too
 * (the AWS session token, the Azure client secret), and an `--env KEY=<canary>` value. For each
 * target: deploy (one endpoint each plain, --json and KAGG_DEBUG=1, so each way does a real deploy),
 * a deploy the fake refuses (a wrong credential, or no engine), endpoints show, invoke, logs,
 * `kagg monitor` by name and by URL, and destroy. Neither stdout, stderr nor any file under KAGG_HOME
 * may hold a canary in any form (see secret-hygiene-helpers.ts), nor a secret the target made (the
 * Azure function keys: only in their own files, gone with their endpoints). No target has a `secret: true`
 * setting today; the conformance suite covers that path for a target that declares one.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { startAwsFake } from '@kagg/testkit/aws-fake';
import { startAzureFake } from '@kagg/testkit/azure-fake';
import { startCloudRunFake } from '@kagg/testkit/cloud-run-fake';
import { startDockerFake } from '@kagg/testkit/docker-fake';
import { startGcpFake } from '@kagg/testkit/gcp-fake';
import { cleanup, FIXTURES, isolatedEnv, kagg, ROOT, type RunResult, tempDir } from './helpers.ts';
import { assertClean, CANARY, leaks, leakyFiles, runAllWays, WAYS } from './secret-hygiene-helpers.ts';

const NOTEBOOK = path.join(FIXTURES, 'pm-basic.ipynb');

/** Every credential variable kagg or an SDK could read, each a canary; a target's own come on top. */
const CANARY_ENV = {
  AWS_ACCESS_KEY_ID: 'AKIAKAGGFAKE00000001',
  AWS_SECRET_ACCESS_KEY: CANARY.aws,
  AWS_SESSION_TOKEN: CANARY.awsSession,
  AWS_REGION: 'eu-west-1',
  AWS_EC2_METADATA_DISABLED: 'true',
  AZURE_CLIENT_ID: '00000000-0000-0000-0000-00000000c0fe',
  AZURE_TENANT_ID: '00000000-0000-0000-0000-00000000c0ff',
  AZURE_CLIENT_SECRET: CANARY.azure,
};

interface TargetUnderTest {
  /** The deploy flag and the plugin to link. */
  flag: string;
  plugin: string;
  /** Starts the fake; the target's variables, what a refused deploy changes, and how to stop. */
  start(): Promise<{ env: Record<string, string>; refused: Record<string, string>; close(): Promise<void> }>;
  /** Secrets the target made on deploy and keeps under KAGG_HOME (`dir`), by file. */
  made?: { dir: string[] };
}

/** The Cloud Functions or the Cloud Run fake, its access and identity tokens canaries. */
async function startGoogle(
  start: (options: { accessToken: string; identityToken: string }) => Promise<{ url: string; close(): Promise<void> }>,
) {
  const fake = await start({ accessToken: CANARY.gcp, identityToken: CANARY.gcpIdentity });
  return {
    env: {
      GOOGLE_CLOUD_PROJECT: 'kagg-test',
      KAGG_GCP_POLL_MS: '10',
      KAGG_GCP_API_ENDPOINT: fake.url,
      KAGG_GCP_ACCESS_TOKEN: CANARY.gcp,
      KAGG_GCP_IDENTITY_TOKEN: CANARY.gcpIdentity,
    },
    refused: { KAGG_GCP_ACCESS_TOKEN: `${CANARY.gcp}x` },
    close: () => fake.close(),
  };
}

const TARGETS: TargetUnderTest[] = [
  {
    flag: '--aws',
    plugin: 'aws',
    async start() {
      const fake = await startAwsFake({ secretAccessKey: CANARY.aws });
      return {
        env: { AWS_ENDPOINT_URL: fake.url, AWS_ACCESS_KEY_ID: fake.accessKeyId, KAGG_AWS_POLL_MS: '10' },
        refused: { AWS_SECRET_ACCESS_KEY: `${CANARY.aws}x` },
        close: () => fake.close(),
      };
    },
  },
  { flag: '--gcp', plugin: 'gcp', start: () => startGoogle(startGcpFake) },
  { flag: '--cloud-run', plugin: 'gcp', start: () => startGoogle(startCloudRunFake) },
  {
    flag: '--azure',
    plugin: 'azure',
    made: { dir: ['targets', 'azure', 'keys'] }, // the function keys, each in its 0600 file
    async start() {
      const fake = await startAzureFake({ token: CANARY.azureToken });
      return {
        env: {
          NODE_EXTRA_CA_CERTS: fake.caFile,
          KAGG_AZURE_ARM_ENDPOINT: fake.url,
          KAGG_AZURE_ACCESS_TOKEN: CANARY.azureToken,
          AZURE_SUBSCRIPTION_ID: fake.subscriptionId,
          KAGG_AZURE_POLL_MS: '10',
        },
        refused: { KAGG_AZURE_ACCESS_TOKEN: `${CANARY.azureToken}x` },
        close: () => fake.close(),
      };
    },
  },
  {
    flag: '--container',
    plugin: 'container',
    async start() {
      const fake = await startDockerFake();
      return {
        env: { DOCKER_HOST: fake.host },
        refused: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' },
        close: () => fake.stop(),
      };
    },
  },
];

for (const target of TARGETS) {
  describe(`secret hygiene on the ${target.flag.slice(2)} target`, () => {
    const home = tempDir('kagg-secret-targets-');
    after(() => cleanup(home));

    it('deploy, a refused deploy, endpoints show, invoke, logs, monitor and destroy leak no canary', async (t) => {
      const fake = await target.start();
      t.after(() => fake.close());
      const env = (extra: Record<string, string> = {}) => isolatedEnv(home, { ...CANARY_ENV, ...fake.env, ...extra });
      const outputs: RunResult[] = [];
      const keep = <T extends RunResult | RunResult[]>(result: T): T => {
        outputs.push(...[result].flat());
        return result;
      };
      const linked = await kagg(['plugins', 'link', path.join(ROOT, 'plugins', target.plugin), '--no-install'], env());
      assert.equal(linked.code, 0, linked.stderr);

      const deploy = (name: string) => [
        'deploy',
        NOTEBOOK,
        target.flag,
        '--name',
        name,
        '--env',
        `API_KEY=${CANARY.env}`,
      ];
      // one endpoint per way, so that each way does a real deploy rather than an unchanged no-op
      const names = WAYS.map((_, i) => `canary${i}`);
      for (const [i, { suffix, extra, label }] of WAYS.entries()) {
        const result = keep(await kagg([...deploy(names[i]!), ...suffix], env(extra)));
        assertClean(result, `${deploy(names[i]!).join(' ')} ${suffix.join(' ')}${label}`);
        assert.equal(result.code, 0, result.stderr);
      }
      // the secrets the target made for the endpoints (Azure's function keys), read while they exist
      const keys = target.made ? path.join(home, ...target.made.dir) : '';
      const made = Object.fromEntries(
        keys ? readdirSync(keys).map((file) => [file, readFileSync(path.join(keys, file), 'utf8').trim()]) : [],
      );
      if (target.made) assert.equal(Object.keys(made).length, names.length, 'one key per endpoint');
      const [refused] = keep(await runAllWays(deploy('refused'), (extra) => env({ ...fake.refused, ...extra })));
      assert.equal(refused!.code, 1, refused!.stderr);

      const [show, shownJson] = keep(await runAllWays(['endpoints', 'show', 'canary0'], env));
      assert.equal(show!.code, 0, show!.stderr);
      const [invoke] = keep(await runAllWays(['invoke', 'canary0', '--data', '{"a": 40, "b": 2}'], env));
      assert.equal(invoke!.code, 0, invoke!.stderr);
      assert.match(invoke!.stdout, /42/);
      keep(await runAllWays(['invoke', 'canary0', '--data', '{"x": 1}'], env)); // a KeyError in the notebook
      keep(await runAllWays(['logs', 'canary0'], env));
      const url = JSON.parse(shownJson!.stdout).endpoint.url as string;
      assert.match(url, /^https?:\/\/127\.0\.0\.1:/);
      // by name, each probe goes through the target's invocation (its credentials); by URL, bare
      for (const endpoint of ['canary0', url]) {
        const args = ['monitor', endpoint, '--duration', '300ms', '--data', '{"a": 1, "b": 2}', '--json'];
        const monitor = keep(await kagg(args, env()));
        assertClean(monitor, args.join(' '));
        if (endpoint === 'canary0') {
          assert.equal(monitor.code, 0, monitor.stdout + monitor.stderr);
          assert.ok(JSON.parse(monitor.stdout).endpoints[0].ok > 0, monitor.stdout);
        }
      }

      for (const [i, { suffix, extra, label }] of WAYS.entries()) {
        const result = keep(await kagg(['destroy', names[i]!, '--yes', ...suffix], env(extra)));
        assertClean(result, `destroy ${names[i]} ${suffix.join(' ')}${label}`);
        assert.equal(result.code, 0, result.stderr);
      }
      for (const { stdout, stderr } of outputs) assert.deepEqual(leaks(stdout + stderr, made), [], 'a key it made');
      // the key files go with their endpoints: nothing under KAGG_HOME holds a canary or a key any more
      assert.deepEqual(leakyFiles(home, undefined, made), [], 'registry, state, logs, monitor runs, temp files');
    });
  });
}
