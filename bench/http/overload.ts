// bench/http/overload: kagg's HTTP client configured far above what the server allows. 200 calls from
// 8 workers to the fake Kaggle limited to 40 requests/s, the client's limiter set to 2000/s: how long
// it takes, how many 429s the server sent, how many calls failed. Run: node bench/http/overload.ts
import { createHttpClient, RateLimiter } from '@kagg/core/http';
import { startFakeKaggle } from '@kagg/testkit/kaggle-fake';

const ITEMS = Number(process.env.BENCH_ITEMS ?? 200);
const limited = await startFakeKaggle({ rateLimit: { perSecond: 40, burst: 4 } });
const client = createHttpClient({
  retries: 6,
  retryBaseMs: 20,
  maxRetryAfterMs: 2000,
  rateLimiter: new RateLimiter({ ratePerSecond: 2000, burst: 8 }),
});
const url = `${limited.url}/kernels.KernelsApiService/ListKernels`;
const headers = { authorization: `Basic ${Buffer.from('alice:alicekey0123456789abcdef01234567').toString('base64')}` };
const queue = Array.from({ length: ITEMS }, (_, i) => i);
const statuses: number[] = [];
const t0 = Date.now();
await Promise.all(
  Array.from({ length: 8 }, async () => {
    while (queue.pop() !== undefined) {
      statuses.push((await client.request({ method: 'POST', url, json: {}, idempotent: true, headers })).status);
    }
  }),
);
const seconds = (Date.now() - t0) / 1000;
const tooMany = limited.requests.filter((r) => r.status === 429).length;
console.log(
  `${ITEMS} calls, 8 workers, server 40/s, client 2000/s: ${seconds.toFixed(1)} s (the limit allows ${(ITEMS / 40).toFixed(1)} s), ` +
    `${limited.requests.length} requests, ${tooMany} answered 429, ${statuses.filter((s) => s !== 200).length} failed`,
);
await limited.close();
