/**
 * Proxies for kagg's own requests, read from the environment at each new connection as curl and the
 * official Kaggle client read them: HTTPS_PROXY for https URLs, HTTP_PROXY for http URLs (ALL_PROXY
 * for either), NO_PROXY for the hosts that bypass them, upper or lower case (`proxy-from-env`).
 * A proxied connection is a CONNECT tunnel (`hpagent`), for http URLs too, so the proxy never sees
 * an https request in clear. Certificates of a TLS-inspecting proxy are trusted through Node's own
 * NODE_EXTRA_CA_CERTS. The same agents serve got and the cloud SDKs' Node handlers.
 */
import type { ClientRequestArgs, Agent as HttpAgent } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import type { Duplex } from 'node:stream';
import { HttpProxyAgent, HttpsProxyAgent } from 'hpagent';
import { getProxyForUrl } from 'proxy-from-env';

// Not `import http from 'node:http'`: an ESM import of node:http reads all its exports, and its lazy
// WebSocket getter loads undici (~40 ms of CPU); getBuiltinModule returns the module as require does.
const http = process.getBuiltinModule('node:http');
const https = process.getBuiltinModule('node:https');

type Callback = (error: Error | null, socket?: Duplex) => void;
interface ConnectOptions {
  host?: string | null;
  port?: number | string | null;
}

/** The proxy a URL goes through (`''` when none: no variable set, or NO_PROXY covers its host). */
export function proxyForUrl(url: string): string {
  return getProxyForUrl(url);
}

/** A proxy URL fit for a message: its credentials left out. */
export function proxyLabel(proxy: string): string {
  try {
    const u = new URL(proxy);
    return `${u.protocol}//${u.host}`;
  } catch {
    return 'the configured proxy';
  }
}

function proxyFor(protocol: 'http:' | 'https:', options: ConnectOptions): string {
  const host = options.host ?? 'localhost';
  const bracketed = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return getProxyForUrl(`${protocol}//${bracketed}${options.port ? `:${options.port}` : ''}`);
}

/** One tunnelling agent per proxy URL (each keeps its own pool of tunnels). */
function tunnels<T>(make: (proxy: string) => T): (proxy: string) => T {
  const made = new Map<string, T>();
  return (proxy) => {
    let agent = made.get(proxy);
    if (!agent) {
      agent = make(proxy);
      made.set(proxy, agent);
    }
    return agent;
  };
}

const httpTunnel = tunnels((proxy) => new HttpProxyAgent({ proxy, keepAlive: true }));
const httpsTunnel = tunnels((proxy) => new HttpsProxyAgent({ proxy, keepAlive: true }));

/** An http agent that tunnels through the environment's proxy when it names one for the host. */
class EnvHttpAgent extends http.Agent {
  override createConnection(options: ConnectOptions, callback: Callback): Duplex | null | undefined {
    const proxy = proxyFor('http:', options);
    if (!proxy) return super.createConnection(options as ClientRequestArgs, callback);
    return (httpTunnel(proxy) as unknown as EnvHttpAgent).createConnection(options, callback);
  }
}

/** The https counterpart: CONNECT to the proxy, then TLS to the host inside the tunnel. */
class EnvHttpsAgent extends https.Agent {
  override createConnection(options: ConnectOptions, callback: Callback): Duplex | null | undefined {
    const proxy = proxyFor('https:', options);
    if (!proxy) return super.createConnection(options as ClientRequestArgs, callback);
    return (httpsTunnel(proxy) as unknown as EnvHttpsAgent).createConnection(options, callback);
  }
}

/** A pair of environment-aware agents (keep-alive): got's, or a cloud SDK's Node handler's. */
export function createProxyAgents(): { http: HttpAgent; https: HttpsAgent } {
  return { http: new EnvHttpAgent({ keepAlive: true }), https: new EnvHttpsAgent({ keepAlive: true }) };
}

let shared: { http: HttpAgent; https: HttpsAgent } | undefined;

/** The pair every got client of the process uses, so connections are pooled across clients. */
export function sharedProxyAgents(): { http: HttpAgent; https: HttpsAgent } {
  shared ??= createProxyAgents();
  return shared;
}

/** Whether the environment names a proxy at all (then a cloud SDK client is given the agents). */
export function proxyConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  return ['https_proxy', 'http_proxy', 'all_proxy'].some((v) => env[v] || env[v.toUpperCase()]);
}
