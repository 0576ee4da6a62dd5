/**
 * Proxies for the AWS SDK: its NodeHttpHandler reads none of HTTPS_PROXY, HTTP_PROXY or NO_PROXY.
 * When the environment names a proxy, the clients get kagg's environment-aware agents (a CONNECT
 * tunnel per host, NO_PROXY honoured per host); otherwise the SDK keeps its default handler and
 * the handler package is never loaded. Either way the handler gets kagg's connection and idle
 * timeouts (`KAGG_HTTP_TIMEOUT_MS`).
 */
import type { NodeHttpHandler, NodeHttpHandlerOptions } from '@smithy/node-http-handler';

export async function proxyHandler(): Promise<{ requestHandler: NodeHttpHandler | NodeHttpHandlerOptions }> {
  const { createProxyAgents, httpTimeoutMs, proxyConfigured } = await import('@kagg/core/http');
  // The SDK waits forever by default: a server that accepts and never answers would hang kagg.
  const timeouts = { connectionTimeout: httpTimeoutMs(), socketTimeout: httpTimeoutMs() };
  if (!proxyConfigured()) return { requestHandler: timeouts };
  const { NodeHttpHandler: Handler } = await import('@smithy/node-http-handler');
  const agents = createProxyAgents();
  return { requestHandler: new Handler({ ...timeouts, httpAgent: agents.http, httpsAgent: agents.https }) };
}
