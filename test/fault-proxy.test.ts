// The fault proxy of @kagg/testkit on its own: bytes pass through unchanged (plain and TLS), each
// fault does what it says, schedules apply per connection, and a seed makes a run reproducible.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import http from 'node:http';
import type net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type FaultProxy, seededRandom, startFaultProxy } from '@kagg/testkit/fault-proxy';

const BODY = Buffer.alloc(200_000, 0);
for (let i = 0; i < BODY.length; i++) BODY[i] = (i * 31 + (i >> 8)) & 0xff;
const DIGEST = createHash('sha256').update(BODY).digest('hex');

let server: http.Server;
let origin = '';
before(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/echo') res.end(Buffer.concat(chunks));
      else res.writeHead(200, { 'content-length': BODY.length }).end(BODY);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
});
after(() => new Promise<void>((r) => server.close(() => r())));

/** GET through a fresh connection; resolves the body's digest or rejects with the socket error. */
function get(url: string): Promise<{ digest: string; bytes: number }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (res) => {
        const hash = createHash('sha256');
        let bytes = 0;
        res.on('data', (c: Buffer) => {
          hash.update(c);
          bytes += c.length;
        });
        res.on('end', () => resolve({ digest: hash.digest('hex'), bytes }));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

describe('fault proxy', () => {
  let proxy: FaultProxy;
  before(async () => {
    proxy = await startFaultProxy({ target: origin, seed: 7 });
  });
  after(() => proxy.close());

  it('passes bytes through unchanged both ways, with latency and a bandwidth cap', async () => {
    assert.equal(proxy.url, origin.replace(/:\d+$/, `:${proxy.port}`));
    assert.equal((await get(`${proxy.url}/`)).digest, DIGEST);
    proxy.set({ latencyMs: 20, jitterMs: 10, bytesPerSecond: 2_000_000 });
    assert.equal((await get(`${proxy.url}/`)).digest, DIGEST);
    const sent = BODY.subarray(0, 70_000);
    const echoed = await fetch(`${proxy.url}/echo`, { method: 'POST', body: sent });
    assert.deepEqual(Buffer.from(await echoed.arrayBuffer()), sent);
    const last = proxy.connections.at(-1);
    assert.equal(last?.faults.bytesPerSecond, 2_000_000);
    assert.ok((last?.up ?? 0) > sent.length, 'the request went through the capped connection');
    proxy.set({});
  });

  it('resets a response in the middle of its body, after exactly N bytes', async () => {
    proxy.schedule({ resetAfterBytes: 50_000 });
    await assert.rejects(
      get(`${proxy.url}/`),
      (e: NodeJS.ErrnoException) => e.code === 'ECONNRESET' || /aborted/.test(e.message),
    );
    const cut = proxy.connections.at(-1);
    assert.equal(cut?.reset, true);
    assert.equal(cut?.down, 50_000);
    // the schedule was for one connection: the next passes whole
    assert.equal((await get(`${proxy.url}/`)).digest, DIGEST);
    assert.equal(proxy.connections.at(-1)?.reset, false);
  });

  it('blackholes: accepts, answers nothing, until the client gives up', async () => {
    proxy.schedule({ blackhole: true });
    const controller = new AbortController();
    const request = http.get(`${proxy.url}/`, { agent: false, signal: controller.signal });
    const failed = new Promise((_, reject) => request.on('error', reject));
    const deadline = Date.now() + 10_000;
    while (proxy.connections.at(-1)?.faults.blackhole !== true) {
      assert.ok(Date.now() < deadline, 'the blackholed connection was never accepted');
      await new Promise((r) => setTimeout(r, 10));
    }
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(proxy.connections.at(-1)?.down, 0);
    controller.abort();
    await assert.rejects(failed, /abort/i);
  });

  it('draws the same reset points from the same seed', async () => {
    const draw = async (seed: number) => {
      const p = await startFaultProxy({ target: origin, seed, faults: { resetAfterBytes: [1000, 150_000] } });
      for (let i = 0; i < 3; i++) await get(`${p.url}/`).catch(() => undefined);
      await p.close();
      return p.connections.map((c) => c.down);
    };
    const a = await draw(42);
    assert.deepEqual(await draw(42), a);
    assert.notDeepEqual(await draw(43), a);
    assert.ok(
      a.every((n) => n >= 1000 && n <= 150_000),
      String(a),
    );
    assert.equal(seededRandom(5)(), seededRandom(5)());
  });

  it('refuses a target off loopback', async () => {
    await assert.rejects(startFaultProxy({ target: 'http://192.0.2.1:80' }), /not a loopback/);
  });
});
