/**
 * Tests cannot leave the machine: the loopback guard (@kagg/testkit/loopback-guard, loaded by
 * scripts/test.mjs with --import and NODE_OPTIONS) makes fetch, http.request, net.connect and DNS
 * look-ups of any non-loopback address fail at once with an error naming it, in the test process, in
 * a node child and in a spawned kagg; loopback traffic is untouched.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import dns from 'node:dns';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { GUARD_CODE, isLoopback, loopbackGuardInstalled } from '@kagg/testkit/loopback';
import { cleanup, isolatedEnv, kagg, tempDir } from './helpers.ts';

// Documentation addresses (RFC 5737) and a reserved name (RFC 2606): nothing answers them.
const OFF_MACHINE_IP = '192.0.2.10';
const OFF_MACHINE_NAME = 'notebooks.invalid';

/** The guard's error, found in an error or its `cause` chain (fetch wraps it in "fetch failed"). */
function guardError(error: unknown): Error & { code: string } {
  let e = error as (Error & { code?: string; cause?: unknown }) | undefined;
  while (e && e.code !== GUARD_CODE) e = e.cause as typeof e;
  assert.ok(e, `not refused by the loopback guard: ${String(error)}`);
  return e as Error & { code: string };
}

const failure = (start: (done: (error: unknown) => void) => void) => new Promise<unknown>((resolve) => start(resolve));

describe('the loopback guard', () => {
  let server: http.Server;
  let port = 0;
  before(async () => {
    assert.ok(loopbackGuardInstalled(), 'the test runner loads the guard (scripts/test.mjs: --import)');
    server = http.createServer((_req, res) => res.end('here'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  it('refuses fetch to a non-loopback address or name, naming it', async () => {
    const byIp = await fetch(`https://${OFF_MACHINE_IP}/x`).catch((e: unknown) => e);
    assert.match(guardError(byIp).message, /connection to 192\.0\.2\.10:443 refused/);
    const byName = await fetch(`http://${OFF_MACHINE_NAME}/model.ipynb`).catch((e: unknown) => e);
    assert.match(guardError(byName).message, /connection to notebooks\.invalid:80 refused/);
  });

  it('refuses http.request and net.connect, naming the address', async () => {
    const viaHttp = await failure((done) => http.get(`http://${OFF_MACHINE_IP}:8080/`).on('error', done));
    assert.match(guardError(viaHttp).message, /192\.0\.2\.10:8080/);
    const viaNet = await failure((done) => net.connect(9, OFF_MACHINE_IP).on('error', done));
    assert.match(guardError(viaNet).message, /192\.0\.2\.10:9/);
  });

  it('refuses DNS look-ups and UDP datagrams of anything but loopback', async () => {
    const lookup = await failure((done) => dns.lookup(OFF_MACHINE_NAME, done));
    assert.match(guardError(lookup).message, /DNS lookup of notebooks\.invalid/);
    const promised = await dns.promises.lookup('example.org').catch((e: unknown) => e);
    assert.match(guardError(promised).message, /example\.org/);
    const resolved = await dns.promises.resolve4('example.org').catch((e: unknown) => e);
    assert.match(guardError(resolved).message, /DNS resolve4 of example\.org/);
    const socket = dgram.createSocket('udp4');
    const udp = await failure((done) => socket.send('x', 53, OFF_MACHINE_IP, done));
    socket.close();
    assert.match(guardError(udp).message, /UDP datagram to 192\.0\.2\.10:53/);
  });

  it('lets loopback traffic through: 127.0.0.0/8, ::1 and localhost', async () => {
    assert.equal(await (await fetch(`http://localhost:${port}/`)).text(), 'here');
    assert.equal(await (await fetch(`http://127.0.0.1:${port}/`)).text(), 'here');
    assert.match((await dns.promises.lookup('localhost')).address, /^(127\.|::1$)/);
    for (const host of ['127.0.0.1', '127.8.9.10', '::1', '[::1]', '::ffff:127.0.0.1', 'localhost', 'api.localhost'])
      assert.ok(isLoopback(host), host);
    for (const host of ['10.0.0.1', '0.0.0.0', '::', '169.254.169.254', 'example.org', '128.0.0.1', '::2'])
      assert.ok(!isLoopback(host), host);
  });

  it('is inherited by node children through NODE_OPTIONS', () => {
    const child = spawnSync(
      process.execPath,
      [
        '-e',
        `fetch('https://${OFF_MACHINE_IP}/').catch((e) => { console.log(e.cause?.code, e.cause?.message); process.exit(3); })`,
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    assert.equal(child.status, 3, child.stderr);
    assert.match(child.stdout, new RegExp(`${GUARD_CODE} .*192\\.0\\.2\\.10:443`));
  });

  it('is loaded into a spawned kagg: a deploy from an off-machine URL fails, naming it', async () => {
    const home = tempDir();
    try {
      const env = isolatedEnv(home, { KAGG_HTTP_RETRIES: '1', KAGG_HTTP_RETRY_BASE_MS: '1' });
      const r = await kagg(['deploy', `https://${OFF_MACHINE_NAME}/model.ipynb`], env);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /Could not reach https:\/\/notebooks\.invalid\/model\.ipynb \(ERR_KAGG_LOOPBACK_GUARD\)/);
    } finally {
      await cleanup(home);
    }
  });
});
