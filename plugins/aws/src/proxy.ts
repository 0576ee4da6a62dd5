/**
 * Proxies for the AWS SDK: its NodeHttpHandler reads none of HTTPS_PROXY, HTTP_PROXY or NO_PROXY.
 * When the environment names a proxy, the clients get kagg's environment-aware agents (a CONNECT
 * tunnel per host, NO_PROXY honoured per host); otherwise the SDK keeps its default handler and
 * the handler package is never loaded.
 */
import type { NodeHttpHandler } from '@smithy/node-http-handler';

export async function proxyHandler(): Promise<{ requestHandler?: NodeHttpHandler }> {
  const { createProxyAgents, proxyConfigured } = await import('@kagg/core/http');
  if (!proxyConfigured()) return {};
  const { NodeHttpHandler: Handler } = await import('@smithy/node-http-handler');
  const agents = createProxyAgents();
  return { requestHandler: new Handler({ httpAgent: agents.http, httpsAgent: agents.https }) };
}
