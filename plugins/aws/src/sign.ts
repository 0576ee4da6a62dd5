/**
 * SigV4 signing of calls to a private Function URL (AuthType AWS_IAM), with the same credentials
 * kagg deploys with. Used by `Invocation.sign` (kagg invoke) and by the post-deploy health call.
 */
import type { InvocationRequest } from '@kagg/plugin-api';

export interface SigningCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Headers the signer adds that the caller must send: the rest (host) the HTTP client sets itself. */
const RETURNED = ['authorization', 'x-amz-date', 'x-amz-security-token', 'x-amz-content-sha256'];

export function requestSigner(
  region: string,
  credentials: () => Promise<SigningCredentials>,
): (request: InvocationRequest) => Promise<Record<string, string>> {
  return async (request) => {
    const [{ SignatureV4 }, { HttpRequest }, { Sha256 }] = await Promise.all([
      import('@smithy/signature-v4'),
      import('@smithy/protocol-http'),
      import('@aws-crypto/sha256-js'),
    ]);
    const url = new URL(request.url);
    const query: Record<string, string | string[]> = {};
    for (const [key, value] of url.searchParams) {
      const prev = query[key];
      query[key] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(request.headers)) {
      const name = k.toLowerCase();
      if (name === 'authorization' || name === 'host' || name === 'content-length') continue;
      headers[name] = v;
    }
    headers.host = url.host;
    const signer = new SignatureV4({ credentials: await credentials(), region, service: 'lambda', sha256: Sha256 });
    const signed = await signer.sign(
      new HttpRequest({
        method: request.method.toUpperCase(),
        protocol: url.protocol,
        hostname: url.hostname,
        ...(url.port ? { port: Number(url.port) } : {}),
        path: url.pathname,
        query,
        headers,
        body: request.body,
      }),
    );
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(signed.headers)) {
      if (RETURNED.includes(k.toLowerCase())) out[k.toLowerCase()] = v;
    }
    return out;
  };
}
