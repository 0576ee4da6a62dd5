/**
 * The Function URL side of the fake: an HTTP request becomes a payload 2.0 event, the handler's
 * answer becomes an HTTP response, as Lambda does it (contract §2.8).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

const TEXT_TYPE = /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded|[\w.+-]+\+(json|xml)))/i;

export interface UrlRequest {
  method: string;
  /** The path the function sees (the `/fn/<name>` prefix already removed). */
  path: string;
  rawQuery: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  sourceIp: string;
}

export interface EventContext {
  accountId: string;
  urlId: string;
  region: string;
  /** For AWS_IAM URLs: the caller's access key id. */
  caller?: { accessKeyId: string; accountId: string };
}

function joinQuery(raw: string): Record<string, string> | undefined {
  if (raw === '') return undefined;
  const out: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    out[key] = key in out ? `${out[key]},${value}` : value;
  }
  return out;
}

/** Builds the event Lambda hands a function behind a Function URL (payload format version 2.0). */
export function buildEvent(req: UrlRequest, ctx: EventContext): Record<string, unknown> {
  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    if (lower === 'cookie') {
      const all = (Array.isArray(value) ? value : [value]).join('; ');
      cookies = all
        .split(';')
        .map((c) => c.trim())
        .filter((c) => c !== '');
      continue;
    }
    headers[lower] = Array.isArray(value) ? value.join(',') : value;
  }
  const domainName = `${ctx.urlId}.lambda-url.${ctx.region}.on.aws`;
  const now = new Date();
  const isText = req.body.length === 0 || TEXT_TYPE.test(headers['content-type'] ?? '');
  const event: Record<string, unknown> = {
    version: '2.0',
    routeKey: '$default',
    rawPath: req.path,
    rawQueryString: req.rawQuery,
    ...(cookies ? { cookies } : {}),
    headers,
    ...(joinQuery(req.rawQuery) ? { queryStringParameters: joinQuery(req.rawQuery) } : {}),
    requestContext: {
      accountId: ctx.caller ? ctx.caller.accountId : 'anonymous',
      apiId: ctx.urlId,
      ...(ctx.caller
        ? {
            authorizer: {
              iam: {
                accessKey: ctx.caller.accessKeyId,
                accountId: ctx.caller.accountId,
                callerId: ctx.caller.accessKeyId,
                userArn: `arn:aws:iam::${ctx.caller.accountId}:user/kagg-test`,
                userId: ctx.caller.accessKeyId,
              },
            },
          }
        : {}),
      domainName,
      domainPrefix: ctx.urlId,
      http: {
        method: req.method,
        path: req.path,
        protocol: 'HTTP/1.1',
        sourceIp: req.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    isBase64Encoded: !isText,
    pathParameters: null,
    stageVariables: null,
  };
  if (req.body.length > 0) event.body = isText ? req.body.toString('utf8') : req.body.toString('base64');
  return event;
}

export interface UrlResponse {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

/** Turns what the handler returned into the HTTP response Lambda sends (contract §2.8). */
export function mapResult(result: unknown): UrlResponse {
  if (result !== null && typeof result === 'object' && !Array.isArray(result) && 'statusCode' in result) {
    const r = result as {
      statusCode: unknown;
      headers?: Record<string, unknown>;
      body?: unknown;
      cookies?: unknown;
      isBase64Encoded?: unknown;
    };
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(r.headers ?? {})) headers[k.toLowerCase()] = String(v);
    if (Array.isArray(r.cookies) && r.cookies.length > 0) headers['set-cookie'] = r.cookies.map(String);
    const text =
      typeof r.body === 'string' ? r.body : r.body === undefined || r.body === null ? '' : JSON.stringify(r.body);
    const body = r.isBase64Encoded === true ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8');
    return { status: Number(r.statusCode), headers, body };
  }
  const body = typeof result === 'string' ? result : JSON.stringify(result ?? null);
  return { status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(body, 'utf8') };
}
