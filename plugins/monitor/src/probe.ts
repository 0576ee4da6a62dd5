/**
 * One HTTP probe over node:http(s), timed on the injected clock with the phases taken from socket
 * events (lookup, connect, secureConnect, first response byte, end). It never retries (a retry would
 * hide the failure it is there to see) and never throws: a refused connection or a timeout is a
 * result with `status: null` and the reason.
 */
import http from 'node:http';
import https from 'node:https';
import type { Clock } from './clock.js';
import type { Phases } from './record.js';

export interface ProbeRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  /** A keep-alive agent per endpoint: later probes measure the function, not the TCP handshake. */
  agent?: http.Agent;
  signal?: AbortSignal;
}

export interface ProbeAnswer {
  status: number | null;
  error: string | null;
  /** Clock time the request was handed to the socket layer. */
  sentAt: number;
  endAt: number;
  phases: Phases | null;
  headers: Record<string, string>;
  /** The body, parsed when it is JSON (for [BODY] conditions); text otherwise; capped at 1 MiB. */
  body: unknown;
  bytesIn: number;
}

const MAX_BODY = 1 << 20;

export function probe(req: ProbeRequest, clock: Clock): Promise<ProbeAnswer> {
  return new Promise((resolve) => {
    const sentAt = clock.now();
    let lookupAt = sentAt;
    let connectAt = sentAt;
    let secureAt = sentAt;
    let firstByteAt: number | undefined;
    let settled = false;
    const finish = (answer: Omit<ProbeAnswer, 'sentAt'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onAbort);
      resolve({ sentAt, ...answer });
    };
    const failed = (error: string) =>
      finish({ status: null, error, endAt: clock.now(), phases: null, headers: {}, body: null, bytesIn: 0 });

    let request: http.ClientRequest;
    try {
      const url = new URL(req.url);
      request = (url.protocol === 'https:' ? https : http).request(url, {
        method: req.method,
        headers: {
          ...req.headers,
          ...(req.body !== undefined ? { 'content-length': Buffer.byteLength(req.body) } : {}),
        },
        ...(req.agent ? { agent: req.agent } : {}),
      });
    } catch (error) {
      // a URL or header node:http refuses: a failed probe, not a crash
      resolve({
        sentAt,
        status: null,
        error: (error as Error).message,
        endAt: clock.now(),
        phases: null,
        headers: {},
        body: null,
        bytesIn: 0,
      });
      return;
    }
    const timer = setTimeout(() => {
      request.destroy(new Error(`no answer within ${req.timeoutMs} ms`));
    }, req.timeoutMs);
    const onAbort = () => request.destroy(new Error('cancelled'));
    req.signal?.addEventListener('abort', onAbort, { once: true });

    request.on('socket', (socket) => {
      if (!(socket as { connecting?: boolean }).connecting) return; // reused: no DNS, connect or TLS
      socket.once('lookup', () => {
        lookupAt = clock.now();
      });
      socket.once('connect', () => {
        connectAt = clock.now();
        if (lookupAt === sentAt) lookupAt = sentAt; // an IP address: no lookup
        secureAt = connectAt;
      });
      socket.once('secureConnect', () => {
        secureAt = clock.now();
      });
    });
    request.on('error', (error: NodeJS.ErrnoException) =>
      failed(error.code ? `${error.code}: ${error.message}` : error.message),
    );
    request.on('response', (res) => {
      firstByteAt = clock.now();
      const chunks: Buffer[] = [];
      let bytesIn = 0;
      res.on('data', (chunk: Buffer) => {
        bytesIn += chunk.length;
        if (bytesIn <= MAX_BODY) chunks.push(chunk);
      });
      res.on('error', (error) => failed(error.message));
      res.on('end', () => {
        const endAt = clock.now();
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = String(v);
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = text;
        if ((headers['content-type'] ?? '').includes('json')) {
          try {
            body = JSON.parse(text);
          } catch {
            // keep the text
          }
        }
        const first = firstByteAt ?? endAt;
        const dnsMs = Math.max(0, lookupAt - sentAt);
        const connectMs = Math.max(0, connectAt - Math.max(lookupAt, sentAt));
        finish({
          status: res.statusCode ?? null,
          error: null,
          endAt,
          phases: {
            dnsMs,
            connectMs,
            tlsMs: Math.max(0, secureAt - connectAt),
            ttfbMs: first - sentAt,
            transferMs: endAt - first,
          },
          headers,
          body,
          bytesIn,
        });
      });
    });
    request.end(req.body);
  });
}
