// The one HTTP client: which answers are retried, how long it waits (Retry-After, capped), that a
// non-idempotent request is never repeated after the server may have acted on it, that downloads never
// leave an error body or partial file on disk, and that one rate limiter paces every concurrent call.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { createProgress } from '@kagg/core/command';
import { createHttpClient, type DownloadProgress, RateLimiter, type RetryInfo } from '@kagg/core/http';
import { ManualClock } from '@kagg/testkit/clock';
import { type FakeKaggle, startFakeKaggle } from '@kagg/testkit/kaggle-fake';
import { tempDir } from '@kagg/testkit/temp';

/** A tiny server whose handler each test sets. */
let handler: (req: http.IncomingMessage, res: http.ServerResponse) => void = (_req, res) => res.end();
let server: http.Server;
let base = '';
let hits = 0;
let fake: FakeKaggle;
let dir = '';

before(async () => {
  server = http.createServer((req, res) => {
    hits++;
    handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake = await startFakeKaggle();
  dir = tempDir('kagg-http-');
});
after(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Answers `statuses` in turn (with optional headers), then 200 `{"ok":true}`. */
function sequence(statuses: Array<number | [number, Record<string, string>]>): void {
  hits = 0;
  let i = 0;
  handler = (_req, res) => {
    const next = statuses[i++];
    if (next === undefined) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
      return;
    }
    const [status, headers] = Array.isArray(next) ? next : [next, {}];
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify({ error: { code: status, message: 'nope' } }));
  };
}

function client(retries: RetryInfo[], options: Parameters<typeof createHttpClient>[0] = {}) {
  return createHttpClient({
    retries: 4,
    retryBaseMs: 4,
    maxRetryAfterMs: 30,
    onRetry: (r) => retries.push(r),
    ...options,
  });
}

describe('retries', () => {
  it('retries 429 and 5xx answers of a GET until one succeeds', async () => {
    sequence([429, 500, 502, 503]);
    const retries: RetryInfo[] = [];
    const res = await client(retries).request({ url: `${base}/x` });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { ok: true });
    assert.equal(hits, 5);
    assert.deepEqual(
      retries.map((r) => r.reason),
      ['HTTP 429', 'HTTP 500', 'HTTP 502', 'HTTP 503'],
    );
  });

  it('gives the last answer back once the retries are spent', async () => {
    sequence([500, 500, 500, 500, 500, 500]);
    const res = await client([]).request({ url: `${base}/x` });
    assert.equal(res.status, 500);
    assert.equal(hits, 5, 'one attempt plus four retries');
  });

  it('does not retry 4xx answers other than 429', async () => {
    sequence([404]);
    const res = await client([]).request({ url: `${base}/x` });
    assert.equal(res.status, 404);
    assert.equal(hits, 1);
  });

  it('honours Retry-After in seconds and as an HTTP date, up to the cap', async () => {
    sequence([
      [429, { 'retry-after': '0' }],
      [429, { 'retry-after': '3600' }],
      [503, { 'retry-after': new Date(Date.now() - 60_000).toUTCString() }],
      [503, { 'retry-after': new Date(Date.now() + 3_600_000).toUTCString() }],
    ]);
    const retries: RetryInfo[] = [];
    // The backoff alone would wait 200 ms or more: each wait below is the server's, or the cap.
    await client(retries, { retryBaseMs: 400 }).request({ url: `${base}/x` });
    assert.deepEqual(
      retries.map((r) => r.delayMs),
      [1, 30, 1, 30],
      'now (seconds), capped at maxRetryAfterMs, a date already past, a date capped',
    );
  });

  it('never repeats a POST after a 500 (the server may have acted), but does after a 429', async () => {
    sequence([500]);
    const res = await client([]).request({ method: 'POST', url: `${base}/x`, json: { a: 1 } });
    assert.equal(res.status, 500);
    assert.equal(hits, 1);
    sequence([429, 429]);
    const ok = await client([]).request({ method: 'POST', url: `${base}/x`, json: { a: 1 } });
    assert.equal(ok.status, 200);
    assert.equal(hits, 3);
  });

  it('retries a GET whose connection was reset, but not a POST', async () => {
    fake.inject({ target: 'ListKernels', reset: true, times: 2 });
    const before = fake.calls('ListKernels').length;
    const retries: RetryInfo[] = [];
    const res = await client(retries).request({
      method: 'POST',
      url: `${fake.url}/kernels.KernelsApiService/ListKernels`,
      json: {},
      idempotent: true,
    });
    assert.equal(res.status, 401, 'the third attempt reached the server (and was refused: no credentials)');
    assert.equal(fake.calls('ListKernels').length - before, 3);
    fake.inject({ target: 'SaveKernel', reset: true, times: 1 });
    await assert.rejects(
      client([]).request({ method: 'POST', url: `${fake.url}/kernels.KernelsApiService/SaveKernel`, json: {} }),
      (e: Error & { code?: string }) => e.code === 'HTTP_NETWORK',
    );
    assert.equal(fake.calls('SaveKernel').length, 1);
  });

  it('retries a POST when the connection was refused before anything was sent', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const retries: RetryInfo[] = [];
    await assert.rejects(
      client(retries, { retries: 2 }).request({ method: 'POST', url: `http://127.0.0.1:${port}/x`, json: {} }),
      /ECONNREFUSED/,
    );
    assert.deepEqual(
      retries.map((r) => r.reason),
      ['not-sent', 'not-sent'],
    );
  });
});

describe('limits and cancellation', () => {
  it('ends at once when the signal fires during a backoff (Ctrl-C)', { timeout: 20_000 }, async () => {
    sequence([[429, { 'retry-after': '600' }]]);
    const controller = new AbortController();
    const reason = new Error('cancelled (Ctrl-C)');
    // The wait would be 10 minutes: only the abort can end this test before its timeout.
    const pending = client([], {
      maxRetryAfterMs: 600_000,
      onRetry: () => setImmediate(() => controller.abort(reason)),
    }).request({ url: `${base}/x`, signal: controller.signal });
    await assert.rejects(pending, (e) => e === reason);
    assert.equal(hits, 1, 'no second attempt');
  });

  it('cuts off a body past maxBytes, declared or streamed, with HTTP_TOO_LARGE', async () => {
    for (const declared of [true, false]) {
      hits = 0;
      handler = (_req, res) => {
        res.writeHead(200, declared ? { 'content-length': String(64 * 1024) } : {});
        for (let i = 0; i < 64; i++) res.write(Buffer.alloc(1024, 120));
        res.end();
      };
      await assert.rejects(
        client([]).request({ url: `${base}/big`, responseType: 'text', maxBytes: 10_000 }),
        (e: Error & { code?: string; action?: string }) =>
          e.code === 'HTTP_TOO_LARGE' && /more than 10000 bytes/.test(e.message) && Boolean(e.action),
      );
      assert.equal(hits, 1, 'a body too large is not retried');
    }
  });

  it("maps every failure to a KaggError with a code and an action, never got's own text", async () => {
    hits = 0;
    handler = (req) => req.socket.destroy();
    await assert.rejects(
      client([], { retries: 1 }).request({ url: `${base}/x` }),
      (e: Error & { code?: string; action?: string }) =>
        e.code === 'HTTP_NETWORK' &&
        /^Could not reach http:\/\/127\.0\.0\.1:\d+\/x \(ECONNRESET\) after 2 attempts\.$/.test(e.message) &&
        typeof e.action === 'string',
    );
  });
});

describe('downloads', () => {
  it('writes the body only after a 2xx, and never an error body', async () => {
    sequence([[403, {}]]);
    const dest = path.join(dir, 'denied.bin');
    const res = await client([]).download({ url: `${base}/f`, dest });
    assert.equal(res.outcome, 'failed');
    assert.equal(res.status, 403);
    assert.equal(existsSync(dest), false);
    assert.deepEqual(
      readdirSync(dir).filter((n) => n.includes('kagg-part')),
      [],
      'no temporary file left behind',
    );
  });

  it('retries a body cut short, and keeps Last-Modified as the file time', async () => {
    hits = 0;
    const lastModified = new Date('2026-03-01T10:00:00Z');
    handler = (_req, res) => {
      res.writeHead(200, { 'content-length': '10', 'last-modified': lastModified.toUTCString() });
      if (hits === 1) {
        res.write('12345');
        res.destroy();
        return;
      }
      res.end('0123456789');
    };
    const dest = path.join(dir, 'cut.bin');
    const res = await client([]).download({ url: `${base}/f`, dest });
    assert.equal(res.outcome, 'written');
    assert.equal(hits, 2);
    assert.equal(readFileSync(dest, 'utf8'), '0123456789');
    const { statSync } = await import('node:fs');
    assert.equal(statSync(dest).mtime.getTime(), lastModified.getTime());
  });
  it('leaves no partial file when every attempt is cut short', async () => {
    hits = 0;
    handler = (_req, res) => {
      res.writeHead(200, { 'content-length': '10' });
      res.write('12345');
      res.destroy();
    };
    const dest = path.join(dir, 'never.bin');
    await assert.rejects(
      client([], { retries: 2 }).download({ url: `${base}/f`, dest }),
      (e: Error & { code?: string }) => e.code === 'HTTP_NETWORK',
    );
    assert.equal(hits, 3);
    assert.equal(existsSync(dest), false);
    assert.deepEqual(
      readdirSync(dir).filter((n) => n.startsWith('never')),
      [],
    );
  });

  it('reports the progress of a multi-megabyte body, and a TTY shows bytes, rate and time left', async () => {
    const size = 8 * 1024 * 1024;
    handler = (_req, res) => {
      res.writeHead(200, { 'content-length': String(size) });
      const chunk = Buffer.alloc(256 * 1024, 97);
      for (let i = 0; i < size / chunk.length; i++) res.write(chunk);
      res.end();
    };
    const seen: DownloadProgress[] = [];
    /** A stream that keeps what is written to it. */
    const capture = () => {
      const out = {
        text: '',
        write(s: string) {
          out.text += s;
          return true;
        },
      };
      return out;
    };
    const screen = capture();
    const piped = capture();
    const tty = createProgress({ enabled: true, tty: true, stream: screen as unknown as NodeJS.WriteStream });
    const off = createProgress({ enabled: true, tty: false, stream: piped as unknown as NodeJS.WriteStream });
    const c = createHttpClient({
      onDownloadProgress: (p) => {
        seen.push(p);
        tty.transfer(p);
        off.transfer(p);
      },
    });
    const res = await c.download({ url: `${base}/big.bin?sig=secret`, dest: path.join(dir, 'big.bin') });
    tty.stop();
    assert.equal(res.bytes, size);
    assert.ok(seen.length > 2, `${seen.length} progress reports`);
    assert.ok(seen.every((p, i) => i === 0 || p.transferred >= (seen[i - 1] as DownloadProgress).transferred));
    assert.deepEqual(seen.at(-1), { url: `${base}/big.bin`, transferred: size, total: size });
    assert.match(screen.text, /8\.4 MB of 8\.4 MB, [\d.]+ MB\/s, 0 s left/);
    assert.equal(piped.text, '', 'nothing off a TTY');
  });
});

describe('downloads: what Content-Length counts', () => {
  it('saves a gzip-encoded body whole, though its Content-Length counts the compressed bytes', async () => {
    const text = 'n,value\n'.repeat(2000);
    const gzipped = gzipSync(text);
    hits = 0;
    handler = (_req, res) => {
      res.writeHead(200, { 'content-encoding': 'gzip', 'content-length': String(gzipped.length) });
      res.end(gzipped);
    };
    const dest = path.join(dir, 'encoded.csv');
    const res = await client([]).download({ url: `${base}/f`, dest });
    assert.equal(res.outcome, 'written');
    assert.equal(hits, 1, 'not retried as if truncated');
    assert.equal(readFileSync(dest, 'utf8'), text);
  });

  it('never saves a body that ended before its Content-Length as complete, after any number of tries', async () => {
    hits = 0;
    handler = (_req, res) => {
      res.writeHead(200, { 'content-length': '10' });
      res.write('12345');
      setTimeout(() => res.socket?.end(), 5); // a clean close, not a reset
    };
    const dest = path.join(dir, 'short.bin');
    await assert.rejects(
      client([], { retries: 2 }).download({ url: `${base}/f`, dest }),
      (e: Error & { code?: string }) => e.code === 'HTTP_NETWORK',
    );
    assert.equal(hits, 3, 'retried');
    assert.equal(existsSync(dest), false);
  });
});

describe('rate limiter', () => {
  it('paces concurrent calls so that a rate-limited server never answers 429', async () => {
    const limited = await startFakeKaggle({ rateLimit: { perSecond: 40, burst: 4 } });
    try {
      const c = createHttpClient({ retries: 0, rateLimiter: new RateLimiter({ ratePerSecond: 40, burst: 1 }) });
      const url = `${limited.url}/kernels.KernelsApiService/ListKernels`;
      const results = await Promise.all(
        Array.from({ length: 30 }, () => c.request({ method: 'POST', url, json: {}, idempotent: true })),
      );
      assert.equal(results.filter((r) => r.status === 429).length, 0);
      assert.equal(limited.requests.length, 30);
    } finally {
      await limited.close();
    }
  });

  it('halves its rate once per 429 pause, never below 1/64 of the configured rate, then grows 10 % a second', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ ratePerSecond: 640, burst: 1, clock });
    limiter.pauseUntil(clock.epochNow() + 5000);
    limiter.pauseUntil(clock.epochNow() + 5000); // the same burst's other 429s
    assert.equal(limiter.currentRate, 320);
    const floor = new RateLimiter({ ratePerSecond: 640, clock });
    for (let i = 0; i < 20; i++) {
      floor.pauseUntil(clock.epochNow() - 1); // each one a separate, already-elapsed pause
    }
    assert.equal(floor.currentRate, 10, '640 / 64');
    await clock.advance(1000);
    await floor.take(); // takes a token, and so brings the rate up to date
    assert.ok(Math.abs(floor.currentRate - 11) < 1e-9, `10 % more after one second: ${floor.currentRate}`);
  });

  it('converges on a server limit far below its own rate: few wasted requests', async () => {
    // The limiter against a model of the fake's limit (token bucket, 40/s, burst 4, Retry-After 1 s),
    // as the HTTP client drives it: take() before each request; on a 429, pauseUntil() and wait.
    // On a hand-moved clock the count is the algorithm's, not the machine's (bench/http/overload.ts
    // measures the real thing).
    const clock = new ManualClock();
    const limiter = new RateLimiter({ ratePerSecond: 2000, burst: 8, clock });
    const server = { tokens: 4, last: 0 };
    const allowed = () => {
      const now = clock.now();
      server.tokens = Math.min(4, server.tokens + ((now - server.last) * 40) / 1000);
      server.last = now;
      if (server.tokens < 1) return false;
      server.tokens -= 1;
      return true;
    };
    const items = Array.from({ length: 80 }, (_, i) => i);
    let requests = 0;
    let finished = 0;
    const workers = Array.from({ length: 8 }, async () => {
      while (items.pop() !== undefined) {
        for (;;) {
          await limiter.take();
          requests++;
          if (allowed()) break;
          limiter.pauseUntil(clock.epochNow() + 1000);
          await new Promise<void>((r) => clock.setTimeout(r, 1000));
        }
      }
      finished++;
    });
    for (let ms = 0; finished < workers.length; ms += 10) {
      assert.ok(ms < 600_000, 'the work ends');
      await clock.advance(10);
    }
    await Promise.all(workers);
    // Adapting, about 1.1 requests per item; without adapting (the rate never halved), 1.5.
    assert.ok(requests <= 100, `${requests} requests for 80 items`);
  });

  it('pauses every holder after a 429 with Retry-After, until that time', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ ratePerSecond: 1000, burst: 5, clock });
    let held = false;
    limiter.pauseUntil(clock.epochNow() + 40);
    const paused = limiter.take().then(() => {
      held = true;
    });
    await clock.advance(39);
    assert.equal(held, false, 'still paused 1 ms before the end');
    await clock.advance(10); // the pause's end, and one token at the halved rate (2 ms)
    assert.equal(held, true);
    await paused;
  });
});
