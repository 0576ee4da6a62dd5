/**
 * A fault-injecting TCP proxy on 127.0.0.1, placed in front of any fake (Kaggle, AWS, GCP, Azure, a
 * local endpoint). It passes bytes through untouched, so HTTP and TLS (the HTTPS fakes) alike go
 * through it, and injects, per connection:
 * - `latencyMs` (+ seeded `jitterMs`): every chunk, both ways, is held that long, order kept;
 * - `bytesPerSecond`: a bandwidth cap on each direction of the connection;
 * - `resetAfterBytes`: after that many bytes towards the client (a number, or a seeded pick in a
 *   `[min, max]` range), both sockets are reset (TCP RST): a response cut in the middle of its body;
 * - `blackhole`: the connection is accepted and read, and nothing is ever sent back or upstream.
 *
 * Faults are switched at runtime (`set`) for the connections accepted afterwards, and `schedule`
 * queues faults for the next connections one by one (the 1st new connection gets the 1st entry, and
 * so on, then the `set` faults again). Every random choice comes from a PRNG seeded by `seed`, so a
 * run is reproducible. Only loopback targets are accepted.
 */
import net from 'node:net';

export interface Faults {
  latencyMs?: number;
  /** Up to this much more latency per chunk, seeded. */
  jitterMs?: number;
  bytesPerSecond?: number;
  /** Reset both sockets once this many bytes went to the client; a range picks one per connection. */
  resetAfterBytes?: number | [number, number];
  /** Accept, read, never answer nor connect upstream. */
  blackhole?: boolean;
}

export interface FaultConnection {
  /** 0-based, in order of acceptance. */
  index: number;
  faults: Faults;
  /** Bytes forwarded client → server and server → client. */
  up: number;
  down: number;
  /** True when this proxy reset the connection (`resetAfterBytes`). */
  reset: boolean;
}

export interface FaultProxyOptions {
  /** The server to front: `http(s)://127.0.0.1:port[/…]` or `{ host, port }`. */
  target: string | { host: string; port: number };
  faults?: Faults;
  /** PRNG seed (default 1). */
  seed?: number;
}

export interface FaultProxy {
  host: string;
  port: number;
  /** The target URL with the proxy's port (same scheme, host name and path). */
  url: string;
  /** Any URL of the target, rewritten to go through the proxy. */
  via(url: string): string;
  /** Faults for connections accepted from now on (replaces the previous ones and drops the schedule). */
  set(faults: Faults): void;
  /** Faults for the next connections, one entry each, before the `set` ones apply again. */
  schedule(...faults: Faults[]): void;
  connections: FaultConnection[];
  /** Destroys every open connection (a blackholed client sees its socket closed). */
  dropAll(): void;
  close(): Promise<void>;
}

/** mulberry32: small, fast, good enough for test schedules, and the same on every machine. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function isLoopback(host: string): boolean {
  return net.isIPv4(host) ? host.startsWith('127.') : host === '::1' || host === 'localhost';
}

/**
 * Forwards `from` to `to` through a timed queue: each chunk leaves at its arrival time plus the
 * latency, never before the previous one, and no faster than the bandwidth cap. Calls `cut` instead
 * of writing past `limit` bytes.
 */
function pace(
  from: net.Socket,
  to: net.Socket,
  faults: Faults,
  random: () => number,
  count: (n: number) => void,
  limit: number,
  cut: () => void,
): void {
  const bps = faults.bytesPerSecond;
  const slice = bps ? Math.max(1, Math.floor(bps / 20)) : Number.POSITIVE_INFINITY;
  const queue: Array<{ part: Buffer; at: number }> = [];
  let queued = 0;
  let sent = 0;
  let lastAt = 0;
  let ended = false;
  let timer: NodeJS.Timeout | undefined;
  // One chunk at a time, from the head of the queue: the order of the bytes is kept.
  const pump = () => {
    timer = undefined;
    while (queue.length > 0 && !to.destroyed) {
      const head = queue[0] as { part: Buffer; at: number };
      const wait = head.at - Date.now();
      if (wait > 0) {
        timer = setTimeout(pump, wait);
        return;
      }
      queue.shift();
      queued -= head.part.length;
      if (sent + head.part.length >= limit) {
        const piece = head.part.subarray(0, limit - sent);
        sent = limit;
        count(piece.length);
        from.destroy();
        queue.length = 0;
        if (piece.length > 0) to.write(piece, cut);
        else cut();
        return;
      }
      sent += head.part.length;
      count(head.part.length);
      to.write(head.part);
    }
    if (queued < 1 << 20 && from.isPaused() && !from.destroyed) from.resume();
    if (ended && queue.length === 0 && !to.destroyed) to.end();
  };
  from.on('data', (data: Buffer) => {
    const step = Number.isFinite(slice) ? slice : data.length;
    for (let i = 0; i < data.length; i += step) {
      const part = data.subarray(i, i + step);
      const delay = (faults.latencyMs ?? 0) + (faults.jitterMs ? random() * faults.jitterMs : 0);
      const at = Math.max(Date.now() + delay, lastAt);
      lastAt = at + (bps ? (part.length / bps) * 1000 : 0);
      queue.push({ part, at });
      queued += part.length;
    }
    if (queued >= 1 << 20) from.pause();
    if (!timer) pump();
  });
  from.on('end', () => {
    ended = true;
    if (!timer) pump();
  });
  to.on('close', () => clearTimeout(timer));
}

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target =
    typeof options.target === 'string'
      ? (() => {
          const u = new URL(options.target);
          return {
            host: u.hostname.replace(/^\[|\]$/g, ''),
            port: Number(u.port || (u.protocol === 'https:' ? 443 : 80)),
          };
        })()
      : options.target;
  if (!isLoopback(target.host)) throw new Error(`fault proxy: ${target.host} is not a loopback address`);
  const random = seededRandom(options.seed ?? 1);
  let current: Faults = options.faults ?? {};
  const queue: Faults[] = [];
  const connections: FaultConnection[] = [];
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
  };

  const server = net.createServer((client) => {
    track(client);
    const faults = queue.shift() ?? current;
    const record: FaultConnection = { index: connections.length, faults, up: 0, down: 0, reset: false };
    connections.push(record);
    if (faults.blackhole) {
      client.resume(); // read and drop, answer nothing
      return;
    }
    const r = faults.resetAfterBytes;
    const limit =
      r === undefined
        ? Number.POSITIVE_INFINITY
        : typeof r === 'number'
          ? r
          : Math.floor(r[0] + random() * (r[1] - r[0] + 1));
    const upstream = net.connect(target.port, target.host);
    track(upstream);
    client.pause();
    upstream.on('connect', () => client.resume());
    const resetBoth = () => {
      record.reset = true;
      client.resetAndDestroy();
      upstream.destroy();
    };
    pace(client, upstream, faults, random, (n) => (record.up += n), Number.POSITIVE_INFINITY, resetBoth);
    pace(upstream, client, faults, random, (n) => (record.down += n), limit, resetBoth);
    upstream.on('close', () => {
      if (!client.destroyed && upstream.errored) client.resetAndDestroy();
    });
    client.on('close', () => upstream.destroy());
  });
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const targetUrl = typeof options.target === 'string' ? options.target : `http://${target.host}:${target.port}`;
  // Only the port changes: the host name stays, so a TLS fake's certificate still matches.
  const via = (url: string) => {
    const u = new URL(url);
    u.port = String(port);
    const out = u.toString();
    return url.endsWith('/') || u.pathname !== '/' || u.search ? out : out.slice(0, -1);
  };
  return {
    host: '127.0.0.1',
    port,
    url: via(targetUrl),
    via,
    set(faults) {
      current = faults;
      queue.length = 0;
    },
    schedule(...faults) {
      queue.push(...faults);
    },
    connections,
    dropAll() {
      for (const s of sockets) s.destroy();
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
