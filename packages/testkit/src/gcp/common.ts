/**
 * What the Google fakes share: the recorded request, Google's error envelope, etags, and the IAM
 * policy of a Cloud Run service (getIamPolicy / setIamPolicy with a read-modify-write etag).
 */
import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface GcpRecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: Buffer;
}

export type IamPolicy = { etag: string; bindings: Array<{ role: string; members: string[] }> };

const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ALREADY_EXISTS',
  412: 'FAILED_PRECONDITION',
};

/** An API error, sent as `{error: {code, message, status}}`. */
export class ApiError extends Error {
  constructor(
    readonly http: number,
    message: string,
    readonly status = STATUS_NAMES[http] ?? 'UNKNOWN',
  ) {
    super(message);
  }
}

/** A fresh etag (valid base64, as IAM etags must be). */
export function etagOf(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).update(randomUUID()).digest('base64').slice(0, 16);
}

/** The request as the fakes record it (the `$alt` query parameter of REST fallback left out). */
export function recordedRequest(incoming: IncomingMessage, body: Buffer): GcpRecordedRequest {
  const url = new URL(incoming.url ?? '/', 'http://127.0.0.1');
  return {
    method: incoming.method ?? 'GET',
    path: decodeURIComponent(url.pathname),
    query: Object.fromEntries([...url.searchParams.entries()].filter(([k]) => k !== '$alt')),
    headers: Object.fromEntries(
      Object.entries(incoming.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]),
    ),
    body,
  };
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' }).end(JSON.stringify(body));
}

/** Sends an error in Google's envelope (anything but an ApiError is a 500 INTERNAL). */
export function sendError(res: ServerResponse, error: unknown): void {
  const e = error instanceof ApiError ? error : new ApiError(500, String(error), 'INTERNAL');
  sendJson(res, e.http, { error: { code: e.http, message: e.message, status: e.status } });
}

/**
 * `:getIamPolicy` / `:setIamPolicy` of `service`. A service in `staleNext` gets a new etag just
 * before the set (someone else's change), so the etag the caller read is refused with ABORTED.
 */
export function iamCall(
  policies: Map<string, IamPolicy>,
  staleNext: Set<string>,
  writes: string[],
  service: string,
  verb: string,
  req: GcpRecordedRequest,
  body: Record<string, unknown>,
): unknown {
  const policy = policies.get(service);
  if (!policy) throw new ApiError(404, `Resource '${service}' was not found`);
  if (verb === 'getIamPolicy') return { version: 1, ...policy };
  if (req.method !== 'POST') throw new ApiError(404, `no route ${req.method} ${req.path}`);
  if (staleNext.delete(service)) policy.etag = etagOf(policy);
  const wanted = body.policy as { etag?: string; bindings?: IamPolicy['bindings'] } | undefined;
  if (wanted?.etag && wanted.etag !== policy.etag)
    throw new ApiError(
      409,
      'There were concurrent policy changes. Please retry the whole read-modify-write.',
      'ABORTED',
    );
  policy.bindings = (wanted?.bindings ?? []).filter((b) => b.members?.length);
  policy.etag = etagOf(policy);
  writes.push('setIamPolicy');
  return { version: 1, ...policy };
}

export type OpResult = { response?: unknown; error?: { code: number; message: string } };

/**
 * Long-running operations: pending for `polls` steps of time, then done with what `finish` returns
 * (called once). Time passes when the operation is polled, or when its resource is read (`touch`).
 */
export class Operations {
  private readonly ops = new Map<
    string,
    { polls: number; finish: () => OpResult; metadata: unknown; result?: OpResult }
  >();
  private readonly latest = new Map<string, string>();

  constructor(private readonly polls: number) {}

  /** Starts an operation on `target` under `parent`; returns it as the API does (not done). */
  start(parent: string, target: string, metadata: unknown, finish: () => OpResult) {
    const name = `${parent}/operations/operation-${randomUUID()}`;
    this.ops.set(name, { polls: this.polls, finish, metadata });
    this.latest.set(target, name);
    return { name, metadata, done: false };
  }

  advance(name: string): OpResult | undefined {
    const op = this.ops.get(name);
    if (!op) return undefined;
    if (op.polls > 0) {
      op.polls--;
      return undefined;
    }
    op.result ??= op.finish();
    return op.result;
  }

  /** A read of `target`: its latest operation moves on a step. Returns that operation's result, if done. */
  touch(target: string): OpResult | undefined {
    const name = this.latest.get(target);
    return name ? this.advance(name) : undefined;
  }

  /** The operation as `GET …/operations/{id}` answers (a poll: time passes). */
  get(name: string): unknown {
    const op = this.ops.get(name);
    if (!op) throw new ApiError(404, `Operation ${name} not found`);
    const result = this.advance(name);
    return result
      ? { name, metadata: op.metadata, done: true, ...result }
      : { name, metadata: op.metadata, done: false };
  }
}
