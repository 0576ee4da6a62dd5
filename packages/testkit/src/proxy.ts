/**
 * A CONNECT proxy on 127.0.0.1 that logs what passes through it, for tests of proxy support.
 *
 * - Every tunnel: its target (`host:port`) and the local port of the proxy's own connection to that
 *   target, so a test can match each connection a server accepted to a tunnel of this proxy.
 * - Every request inside a tunnel that carries plain HTTP (its request line, read from the bytes).
 *   A TLS tunnel is opaque: only the tunnel is logged.
 * - Absolute-URI requests (`GET http://host/path`, the other way an HTTP proxy is used) are refused
 *   with 405 and logged apart, so a test sees which of the two ways a client took.
 * Only loopback targets are opened; any other is refused with 403 and logged.
 */
import http from 'node:http';
import net from 'node:net';

export interface ProxyTunnel {
  target: string;
  /** The proxy's own port on its connection to the target (the target sees it as the remote port). */
  upstreamPort: number;
  /** Request lines (`POST /v1/... HTTP/1.1`) seen inside the tunnel when it carries plain HTTP. */
  requests: string[];
}

export interface FakeProxy {
  url: string;
  tunnels: ProxyTunnel[];
  /** Absolute-URI requests, refused. */
  absolute: string[];
  /** Targets refused because they were not on loopback. */
  refused: string[];
  /** Every request line seen in plain-HTTP tunnels. */
  requests(): string[];
  reset(): void;
  close(): Promise<void>;
}

const REQUEST_LINE = /((?:GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS) \/\S* HTTP\/1\.[01])\r\n/g;

export async function startFakeProxy(): Promise<FakeProxy> {
  const state = { tunnels: [] as ProxyTunnel[], absolute: [] as string[], refused: [] as string[] };
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    state.absolute.push(`${req.method} ${req.url}`);
    res.writeHead(405, { connection: 'close' }).end('this proxy only tunnels (CONNECT)');
  });
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    const target = req.url ?? '';
    const match = /^(.+):(\d+)$/.exec(target);
    const host = match?.[1]?.replace(/^\[|\]$/g, '') ?? '';
    if (!match || !(net.isIPv4(host) ? host.startsWith('127.') : host === '::1' || host === 'localhost')) {
      state.refused.push(target);
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const upstream = net.connect(Number(match[2]), host, () => {
      const tunnel: ProxyTunnel = { target, upstreamPort: upstream.localPort ?? 0, requests: [] };
      state.tunnels.push(tunnel);
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      let tail = '';
      const tap = (chunk: Buffer) => {
        // Request lines may be split across chunks: keep the unmatched end of the text.
        const text = tail + chunk.toString('latin1');
        let last = 0;
        for (const m of text.matchAll(REQUEST_LINE)) {
          tunnel.requests.push(m[1] as string);
          last = (m.index ?? 0) + m[0].length;
        }
        tail = text.slice(Math.max(last, text.length - 256));
      };
      if (head.length > 0) {
        tap(head);
        upstream.write(head);
      }
      client.on('data', tap);
      client.pipe(upstream).pipe(client);
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get tunnels() {
      return state.tunnels;
    },
    get absolute() {
      return state.absolute;
    },
    get refused() {
      return state.refused;
    },
    requests: () => state.tunnels.flatMap((t) => t.requests),
    reset() {
      state.tunnels = [];
      state.absolute = [];
      state.refused = [];
    },
    async close() {
      for (const s of sockets) s.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
