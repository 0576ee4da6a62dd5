/**
 * SigV4 verification for the AWS fake: parses the Authorization header, rebuilds the request from
 * the headers the client signed, signs it again with the one secret the fake knows, and compares.
 * A real check (not "any signature will do"), so tests prove kagg signs what it sends.
 */
import { createHash } from 'node:crypto';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

export interface SignedScope {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

/** Reads `AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/lambda/aws4_request, SignedHeaders=..., Signature=...`. */
export function parseAuthorization(header: string | undefined): SignedScope | undefined {
  if (!header?.startsWith('AWS4-HMAC-SHA256 ')) return undefined;
  const fields = new Map<string, string>();
  for (const part of header.slice('AWS4-HMAC-SHA256 '.length).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const credential = fields.get('Credential')?.split('/');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (credential?.length !== 5 || !signedHeaders || !signature) return undefined;
  const [accessKeyId, date, region, service] = credential as [string, string, string, string, string];
  return { accessKeyId, date, region, service, signedHeaders: signedHeaders.split(';'), signature };
}

export interface IncomingSigned {
  method: string;
  /** The raw path as it came over the wire (still percent-encoded). */
  rawPath: string;
  /** The raw query string without `?`. */
  rawQuery: string;
  headers: Record<string, string | string[] | undefined>;
  body: Uint8Array;
}

function parseAmzDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
}

function decodeQuery(raw: string): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  if (raw === '') return query;
  for (const pair of raw.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = decodeURIComponent((eq < 0 ? pair : pair.slice(0, eq)).replace(/\+/g, ' '));
    const value = eq < 0 ? '' : decodeURIComponent(pair.slice(eq + 1).replace(/\+/g, ' '));
    const prev = query[key];
    if (prev === undefined) query[key] = value;
    else query[key] = Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return query;
}

/** True when the request's signature is the one `secretAccessKey` gives. */
export async function verifySignature(
  request: IncomingSigned,
  scope: SignedScope,
  secretAccessKey: string,
): Promise<boolean> {
  const amzDate = request.headers['x-amz-date'];
  const signingDate = typeof amzDate === 'string' ? parseAmzDate(amzDate) : undefined;
  if (!signingDate) return false;
  const headers: Record<string, string> = {};
  for (const name of scope.signedHeaders) {
    const value = request.headers[name];
    if (value === undefined) return false;
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  // A declared payload hash must be the hash of the body that arrived (as AWS checks it).
  const declared = headers['x-amz-content-sha256'];
  if (declared !== undefined && /^[0-9a-f]{64}$/.test(declared)) {
    if (createHash('sha256').update(request.body).digest('hex') !== declared) return false;
  }
  const host = headers.host ?? '127.0.0.1';
  const signer = new SignatureV4({
    credentials: { accessKeyId: scope.accessKeyId, secretAccessKey },
    region: scope.region,
    service: scope.service,
    sha256: Sha256,
    uriEscapePath: scope.service !== 's3',
    applyChecksum: false,
  });
  const rebuilt = new HttpRequest({
    method: request.method,
    protocol: 'http:',
    hostname: host.split(':')[0] ?? host,
    path: request.rawPath,
    query: decodeQuery(request.rawQuery),
    headers,
    body: request.body,
  });
  const signed = await signer.sign(rebuilt, {
    signingDate,
    signingRegion: scope.region,
    signingService: scope.service,
  });
  const auth = parseAuthorization(signed.headers.authorization ?? signed.headers.Authorization);
  return auth !== undefined && auth.signature === scope.signature;
}
