// deploy / invoke / destroy through the fault proxy, in front of the AWS, GCP and Azure fakes (the
// Azure one speaks TLS: the proxy passes it through) and of a local endpoint. Latency and a bandwidth
// cap change nothing; connection resets end in success or in a clear error, and a re-run converges
// to one function and one registry entry; a blackhole ends in a timeout error naming the host.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startAwsFake } from '@kagg/testkit/aws-fake';
import { startAzureFake } from '@kagg/testkit/azure-fake';
import { type FaultProxy, startFaultProxy } from '@kagg/testkit/fault-proxy';
import { startGcpFake } from '@kagg/testkit/gcp-fake';
import { cleanup, FIXTURES, isolatedEnv, kagg, kaggJson, ROOT, tempDir } from './helpers.ts';

interface ErrorJson {
  error: { code: string; message: string; action?: string };
}

interface Cloud {
  id: 'aws' | 'gcp' | 'azure';
  start(): Promise<{ url: string; close(): Promise<void>; count(): number }>;
  env(url: string, fake: unknown): Record<string, string>;
}

type Started = { url: string; close(): Promise<void>; count(): number };

const CLOUDS: Cloud[] = [
  {
    id: 'aws',
    async start() {
      const f = await startAwsFake();
      return Object.assign(f, { count: () => f.state.functions.size });
    },
    env: (url, fake) => {
      const f = fake as { accessKeyId: string; secretAccessKey: string };
      return {
        AWS_ENDPOINT_URL: url,
        AWS_ACCESS_KEY_ID: f.accessKeyId,
        AWS_SECRET_ACCESS_KEY: f.secretAccessKey,
        AWS_REGION: 'eu-west-1',
        AWS_EC2_METADATA_DISABLED: 'true',
        KAGG_AWS_POLL_MS: '10',
      };
    },
  },
  {
    id: 'gcp',
    async start() {
      const f = await startGcpFake();
      return Object.assign(f, { count: () => f.functions.size });
    },
    env: (url, fake) => {
      const f = fake as { accessToken: string; identityToken: string };
      return {
        KAGG_GCP_API_ENDPOINT: url,
        KAGG_GCP_ACCESS_TOKEN: f.accessToken,
        KAGG_GCP_IDENTITY_TOKEN: f.identityToken,
        GOOGLE_CLOUD_PROJECT: 'kagg-test',
        GOOGLE_APPLICATION_CREDENTIALS: '',
        CLOUDSDK_CORE_PROJECT: '',
        KAGG_GCP_POLL_MS: '10',
      };
    },
  },
  {
    id: 'azure',
    async start() {
      const f = await startAzureFake();
      return Object.assign(f, { count: () => f.sites().length });
    },
    env: (url, fake) => {
      const f = fake as { caFile: string; token: string; subscriptionId: string };
      return {
        NODE_EXTRA_CA_CERTS: f.caFile,
        KAGG_AZURE_ARM_ENDPOINT: url,
        KAGG_AZURE_ACCESS_TOKEN: f.token,
        AZURE_SUBSCRIPTION_ID: f.subscriptionId,
        KAGG_AZURE_POLL_MS: '10',
      };
    },
  },
];

function registryNames(home: string): string[] {
  const file = path.join(home, 'endpoints.json');
  if (!existsSync(file)) return [];
  return Object.keys((JSON.parse(readFileSync(file, 'utf8')) as { endpoints: Record<string, unknown> }).endpoints);
}

for (const cloud of CLOUDS) {
  describe(`kagg deploy --${cloud.id} through the fault proxy`, () => {
    const home = tempDir(`kagg-faults-${cloud.id}-`);
    let fake: Started;
    let proxy: FaultProxy;
    let env: NodeJS.ProcessEnv;
    const deploy = (name: string, extra: Record<string, string> = {}) =>
      kaggJson<{ url: string } & Partial<ErrorJson>>(
        ['deploy', path.join(FIXTURES, 'pm-basic.ipynb'), `--${cloud.id}`, '--name', name, '--public'],
        { ...env, ...extra },
      );

    before(async () => {
      fake = await cloud.start();
      proxy = await startFaultProxy({ target: fake.url, seed: 14 });
      env = isolatedEnv(home, { ...cloud.env(proxy.url, fake), KAGG_HTTP_RETRY_BASE_MS: '5' });
      const linked = await kagg(['plugins', 'link', path.join(ROOT, 'plugins', cloud.id), '--no-install'], env);
      assert.equal(linked.code, 0, linked.stderr);
    });
    after(async () => {
      proxy.set({});
      await cleanup(home);
      await proxy.close();
      await fake.close();
    });

    it('with latency and a bandwidth cap: deploy, invoke and destroy succeed', async () => {
      proxy.set({ latencyMs: 10, jitterMs: 10, bytesPerSecond: 2_000_000 });
      const dep = await deploy('slow');
      assert.equal(dep.code, 0, dep.stderr);
      const answer = await kaggJson<{ status: number; body: unknown }>(
        ['invoke', 'slow', '--data', '{"a": 40, "b": 2}'],
        env,
      );
      assert.deepEqual([answer.json.status, answer.json.body], [200, { sum: 42 }], answer.stderr);
      const gone = await kaggJson(['destroy', 'slow'], env);
      assert.equal(gone.code, 0, gone.stderr);
      assert.equal(fake.count(), 0);
      assert.ok(proxy.connections.some((c) => c.faults.bytesPerSecond === 2_000_000 && c.up > 0));
      proxy.set({});
    });

    it('with connections reset mid-response: success or a clear error, and a re-run converges', async () => {
      // The first three connections are cut a little way into what the server sends back.
      proxy.schedule({ resetAfterBytes: [40, 400] }, { resetAfterBytes: [40, 400] }, { resetAfterBytes: [40, 400] });
      const first = await deploy('cut');
      proxy.set({});
      assert.ok(
        proxy.connections.some((c) => c.reset),
        'a reset happened',
      );
      if (first.code !== 0) {
        assert.equal(first.code, 1, first.stdout);
        assert.ok(first.json.error?.code, first.stdout);
        assert.ok(first.json.error?.action, `no action in ${first.stdout}`);
      }
      const again = await deploy('cut');
      assert.equal(again.code, 0, again.stderr);
      assert.equal(fake.count(), 1, 'one function, never two');
      assert.deepEqual(registryNames(home), ['cut']);
      const gone = await kaggJson(['destroy', 'cut'], env);
      assert.equal(gone.code, 0, gone.stderr);
      assert.equal(fake.count(), 0);
    });

    it('into a blackhole: ends with a timeout error naming the host, the registry unchanged', async () => {
      proxy.set({ blackhole: true });
      try {
        const r = await deploy('hole', { KAGG_HTTP_TIMEOUT_MS: '700', KAGG_HTTP_RETRIES: '1' });
        assert.equal(r.code, 1, r.stdout);
        assert.match(r.json.error?.message ?? '', new RegExp(`127\\.0\\.0\\.1:${proxy.port}`));
        // kagg's own timeout (KAGG_HTTP_TIMEOUT_MS); the Google client keeps its 30 s deadline per call.
        assert.match(r.json.error?.message ?? '', /no answer|timed? ?out|deadline exceeded/i);
        assert.ok(r.json.error?.action, r.stdout);
        assert.deepEqual(registryNames(home), []);
      } finally {
        proxy.set({});
        proxy.dropAll();
      }
    });
  });
}

describe('kagg invoke of a local endpoint through the fault proxy', () => {
  const home = tempDir('kagg-faults-local-');
  const env = isolatedEnv(home);
  let proxy: FaultProxy;
  let url = '';
  before(async () => {
    const dep = await kaggJson<{ url: string }>(
      ['deploy', path.join(FIXTURES, 'pm-basic.ipynb'), '--local', '--name', 'adder'],
      env,
    );
    assert.equal(dep.code, 0, dep.stderr);
    proxy = await startFaultProxy({ target: dep.json.url, seed: 14 });
    url = proxy.via(dep.json.url);
  });
  after(async () => {
    await cleanup(home);
    await proxy.close();
  });
  const invoke = (timeout = '30s') =>
    kaggJson<{ status: number; body: unknown } & Partial<ErrorJson>>(
      ['invoke', url, '--data', '{"a": 40, "b": 2}', '--timeout', timeout],
      env,
    );

  it('answers through latency and a bandwidth cap', async () => {
    proxy.set({ latencyMs: 20, jitterMs: 20, bytesPerSecond: 50_000 });
    const r = await invoke();
    proxy.set({});
    assert.deepEqual([r.code, r.json.status, r.json.body], [0, 200, { sum: 42 }], r.stderr);
  });

  it('a POST cut mid-answer is not repeated: a clear error', async () => {
    proxy.schedule({ resetAfterBytes: 30 });
    const r = await invoke();
    assert.equal(r.code, 1, r.stdout);
    assert.equal(r.json.error?.code, 'INVOKE_UNREACHABLE');
    assert.match(r.json.error?.message ?? '', /ECONNRESET/);
    assert.ok(r.json.error?.action, r.stdout);
    assert.equal(proxy.connections.at(-1)?.reset, true);
  });

  it('into a blackhole: ends with the timeout error naming the host', async () => {
    proxy.set({ blackhole: true });
    const r = await invoke('700ms');
    proxy.set({});
    proxy.dropAll();
    assert.equal(r.code, 1, r.stdout);
    assert.equal(r.json.error?.code, 'INVOKE_UNREACHABLE');
    assert.match(r.json.error?.message ?? '', new RegExp(`127\\.0\\.0\\.1:${proxy.port}.*no answer within 700 ms`));
    assert.ok(r.json.error?.action, r.stdout);
  });
});
