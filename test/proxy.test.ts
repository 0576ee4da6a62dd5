/**
 * Proxies: every request `kagg list`, `pull`, `output` and a URL deploy make goes through the proxy
 * the environment names, and none when NO_PROXY covers the host.
 *
 * Which path each test exercises: the fakes are plain http on 127.0.0.1, so HTTP_PROXY is the
 * variable that applies to them (HTTPS_PROXY is for https URLs, as in curl). kagg tunnels http
 * through CONNECT too, and the proxy reads each request line inside those tunnels: the first test
 * proves each request, not only each connection. HTTPS_PROXY is exercised against a TLS front of
 * the Kaggle fake, its certificate trusted through NODE_EXTRA_CA_CERTS: a TLS tunnel is opaque, so
 * the proof there is that every connection the front accepted came out of one of the proxy's tunnels.
 * The proxy refuses absolute-URI requests (the other way of using an HTTP proxy): none is made.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import tls from 'node:tls';
import { type AwsFake, startAwsFake } from '@kagg/testkit/aws-fake';
import { type FakeKaggle, startFakeKaggle } from '@kagg/testkit/kaggle-fake';
import { type FakeProxy, startFakeProxy } from '@kagg/testkit/proxy';
import { cleanup, FIXTURES, isolatedEnv, kagg, ROOT, tempDir } from './helpers.ts';

const KEY = 'alicekey0123456789abcdef01234567';
let fake: FakeKaggle;
let proxy: FakeProxy;
let notebooks: http.Server;
let notebookUrl = '';
let home = '';
let work = '';

before(async () => {
  fake = await startFakeKaggle({ users: [{ username: 'alice', key: KEY }] });
  fake.addKernel({
    owner: 'alice',
    slug: 'behind-proxy',
    outputs: [{ fileName: 'submission.csv', content: 'PassengerId,Survived\n1,0\n' }],
    log: [{ stream_name: 'stdout', time: 1, data: 'trained\n' }],
  });
  proxy = await startFakeProxy();
  const notebook = readFileSync(path.join(FIXTURES, 'params-basic.ipynb'));
  notebooks = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/x-ipynb+json' });
    res.end(notebook);
  });
  await new Promise<void>((r) => notebooks.listen(0, '127.0.0.1', r));
  notebookUrl = `http://127.0.0.1:${(notebooks.address() as net.AddressInfo).port}/params-basic.ipynb`;
  home = tempDir('kagg-proxy-');
  work = tempDir('kagg-proxy-work-');
});
after(async () => {
  await cleanup(home);
  await fake.close();
  await proxy.close();
  notebooks.closeAllConnections();
  await new Promise<void>((r) => notebooks.close(() => r()));
  rmSync(work, { recursive: true, force: true });
});

function env(extra: Record<string, string>): NodeJS.ProcessEnv {
  const base = isolatedEnv(home, {
    KAGG_KAGGLE_API_URL: fake.url,
    KAGGLE_CONFIG_DIR: path.join(home, 'kaggle-config'),
    KAGGLE_API_TOKEN: '',
    KAGGLE_USERNAME: 'alice',
    KAGGLE_KEY: KEY,
    KAGG_KAGGLE_RATE: '1000',
    ...extra,
  });
  for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'ALL_PROXY']) {
    for (const key of [name, name.toLowerCase()]) if (!(key in extra)) delete base[key];
  }
  return base;
}

/** `kagg list`, `pull`, `output` and a URL deploy, each expected to succeed. */
async function everyCommand(e: NodeJS.ProcessEnv, tag: string): Promise<void> {
  for (const args of [
    ['list', '--mine'],
    ['pull', 'alice/behind-proxy', '--path', path.join(work, `pull-${tag}`)],
    ['output', 'alice/behind-proxy', '--path', path.join(work, `output-${tag}`)],
    ['deploy', notebookUrl, '--name', `from-url-${tag}`],
  ]) {
    const r = await kagg(args, e);
    assert.equal(r.code, 0, `kagg ${args.join(' ')}: ${r.stderr}`);
  }
}

const withoutQuery = (line: string) => line.replace(/\?\S*/, '');

describe('HTTP_PROXY: every request tunnels through the proxy', () => {
  it('sends each request of list, pull, output and a URL deploy through a CONNECT tunnel', async () => {
    proxy.reset();
    const before = fake.requests.length;
    await everyCommand(env({ HTTP_PROXY: proxy.url }), 'proxied');
    const atFake = fake.requests.slice(before).map((r) => withoutQuery(`${r.method} ${r.path} HTTP/1.1`));
    assert.ok(atFake.some((l) => l.includes('/ListKernels')));
    assert.ok(atFake.some((l) => l.includes('/GetKernel')));
    assert.ok(
      atFake.some((l) => l.startsWith('GET /storage/')),
      'an output file downloaded',
    );
    const fakeTarget = new URL(fake.url).host;
    const notebookTarget = new URL(notebookUrl).host;
    const seen = (target: string) =>
      proxy.tunnels.filter((t) => t.target === target).flatMap((t) => t.requests.map(withoutQuery));
    assert.deepEqual(seen(fakeTarget).sort(), [...atFake].sort(), 'every request the fake answered, each once');
    assert.deepEqual(seen(notebookTarget), ['GET /params-basic.ipynb HTTP/1.1']);
    assert.deepEqual(
      proxy.tunnels.filter((t) => t.target !== fakeTarget && t.target !== notebookTarget),
      [],
    );
    assert.deepEqual(proxy.absolute, [], 'no absolute-URI request');
  });

  it('goes direct, with no tunnel, when no_proxy covers the host', async () => {
    proxy.reset();
    const before = fake.requests.length;
    await everyCommand(
      env({ HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url, no_proxy: 'localhost,127.0.0.1' }),
      'direct',
    );
    assert.ok(fake.requests.length > before, 'the commands reached the fake');
    assert.deepEqual(proxy.tunnels, []);
    assert.deepEqual(proxy.absolute, []);
  });

  it('names the proxy, without its credentials, when it refuses the tunnel', async () => {
    const refusing = http.createServer();
    refusing.on('connect', (_req, socket: net.Socket) =>
      socket.end('HTTP/1.1 407 Proxy Authentication Required\r\n\r\n'),
    );
    await new Promise<void>((r) => refusing.listen(0, '127.0.0.1', r));
    try {
      const port = (refusing.address() as net.AddressInfo).port;
      const r = await kagg(['list'], env({ HTTP_PROXY: `http://bob:s3cr3t-pass@127.0.0.1:${port}` }));
      assert.equal(r.code, 1);
      assert.match(r.stderr, new RegExp(`through the proxy http://127\\.0\\.0\\.1:${port}.*HTTP 407`));
      assert.match(r.stderr, /HTTPS_PROXY, HTTP_PROXY, NO_PROXY/);
      assert.doesNotMatch(r.stderr, /s3cr3t|RequestError|Bad response/);
    } finally {
      refusing.closeAllConnections();
      await new Promise<void>((r) => refusing.close(() => r()));
    }
  });
});

describe('https_proxy: TLS inside the tunnel, the CA from NODE_EXTRA_CA_CERTS', () => {
  let front: tls.Server;
  let frontUrl = '';
  let ca = '';
  const accepted: number[] = [];

  before(async () => {
    const dir = tempDir('kagg-proxy-tls-');
    ca = path.join(dir, 'cert.pem');
    const key = path.join(dir, 'key.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        key,
        '-out',
        ca,
      ],
      { stdio: 'ignore' },
    );
    const fakePort = Number(new URL(fake.url).port);
    // Terminates TLS and hands the bytes to the plain-http fake.
    front = tls.createServer({ key: readFileSync(key), cert: readFileSync(ca) }, (socket) => {
      accepted.push(socket.remotePort ?? 0);
      const upstream = net.connect(fakePort, '127.0.0.1');
      socket.pipe(upstream).pipe(socket);
      upstream.on('error', () => socket.destroy());
      socket.on('error', () => upstream.destroy());
    });
    await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
    frontUrl = `https://127.0.0.1:${(front.address() as net.AddressInfo).port}/v1`;
  });
  after(async () => {
    await new Promise<void>((r) => front.close(() => r()));
  });

  it('reaches an https API only through tunnels of the proxy', async () => {
    proxy.reset();
    accepted.length = 0;
    const before = fake.requests.length;
    const r = await kagg(
      ['list', '--mine'],
      env({ KAGG_KAGGLE_API_URL: frontUrl, https_proxy: proxy.url, NODE_EXTRA_CA_CERTS: ca }),
    );
    assert.equal(r.code, 0, r.stderr);
    assert.ok(fake.requests.slice(before).some((q) => q.rpc === 'ListKernels'));
    const frontTarget = new URL(frontUrl).host;
    assert.ok(proxy.tunnels.length >= 1);
    assert.ok(proxy.tunnels.every((t) => t.target === frontTarget));
    assert.ok(accepted.length >= 1);
    const tunnelPorts = new Set(proxy.tunnels.map((t) => t.upstreamPort));
    assert.deepEqual(
      accepted.filter((port) => !tunnelPorts.has(port)),
      [],
      'every connection the TLS front accepted came out of a tunnel',
    );
  });

  it('fails with a clear error when the certificate is not trusted', async () => {
    const r = await kagg(['list', '--mine'], env({ KAGG_KAGGLE_API_URL: frontUrl, https_proxy: proxy.url }));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Could not reach https:\/\/127\.0\.0\.1:\d+\/v1\/\S+ through the proxy .*SELF_SIGNED/);
    assert.match(r.stderr, /NODE_EXTRA_CA_CERTS/);
    assert.doesNotMatch(r.stderr, /RequestError/);
  });
});

describe('the aws plugin: the SDK given the same agents', () => {
  const awsHome = tempDir('kagg-proxy-aws-');
  let aws: AwsFake;
  let awsEnv: NodeJS.ProcessEnv;

  before(async () => {
    aws = await startAwsFake();
    awsEnv = isolatedEnv(awsHome, {
      AWS_ENDPOINT_URL: aws.url,
      AWS_ACCESS_KEY_ID: aws.accessKeyId,
      AWS_SECRET_ACCESS_KEY: aws.secretAccessKey,
      AWS_REGION: 'eu-west-1',
      AWS_EC2_METADATA_DISABLED: 'true',
      KAGG_AWS_POLL_MS: '10',
    });
    const linked = await kagg(['plugins', 'link', path.join(ROOT, 'plugins', 'aws'), '--no-install'], awsEnv);
    assert.equal(linked.code, 0, linked.stderr);
  });
  after(async () => {
    await cleanup(awsHome);
    await aws.close();
  });

  it('sends every Lambda, IAM and Function URL request of a deploy and an invoke through the proxy', async () => {
    proxy.reset();
    // The Function URL health probe uses Node's fetch, which follows the proxy variables when
    // NODE_USE_ENV_PROXY=1 (docs/guide.md says so); kagg's own requests and the SDK's need nothing.
    const e = { ...awsEnv, HTTP_PROXY: proxy.url, NODE_USE_ENV_PROXY: '1' };
    const deployed = await kagg(['deploy', path.join(FIXTURES, 'pm-basic.ipynb'), '--aws', '--name', 'adder'], e);
    assert.equal(deployed.code, 0, deployed.stderr);
    const invoked = await kagg(['invoke', 'adder', '--data', '{"a": 40, "b": 2}'], e);
    assert.equal(invoked.code, 0, invoked.stderr);
    const atFake = aws.requests.map((r) => `${r.method} ${r.path} HTTP/1.1`);
    assert.ok(
      atFake.some((l) => l.startsWith('POST /2015-03-31/functions')),
      'CreateFunction',
    );
    assert.ok(aws.requests.some((r) => r.service === 'iam'));
    assert.ok(aws.requests.some((r) => r.service === 'url'));
    const target = new URL(aws.url).host;
    assert.deepEqual(
      proxy.tunnels
        .filter((t) => t.target === target)
        .flatMap((t) => t.requests.map(withoutQuery))
        .sort(),
      atFake.sort(),
    );
    assert.deepEqual(proxy.absolute, []);
  });
});
