/**
 * A strict AWS fake on 127.0.0.1 (contract §7.2) for IAM (query protocol, XML), Lambda (restJson1),
 * S3 (path-style PUT) and the Function URLs it hands out, which run the deployed `handler.py` in a
 * warm `python3` process per function version. Every request is recorded; every request must carry a
 * valid SigV4 signature from the one access key the fake knows.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildEvent, mapResult } from './function-url.js';
import { handleIam, iamError } from './iam.js';
import { type JsonReply, type LambdaSettings, lambdaError, publicUrlAllowed, routeLambda } from './lambda.js';
import { appendFunctionLog, handleLogs } from './logs.js';
import { parseAuthorization, type SignedScope, verifySignature } from './sigv4.js';
import {
  type AwsFakeState,
  type FakeFunction,
  KNOWN_REGIONS,
  type RecordedRequest,
  WRITE_OPERATIONS as WRITE_OPERATIONS_SET,
} from './state.js';
import { PythonWorker } from './worker.js';

export { type AwsFakeState, type FakeFunction, type RecordedRequest, WRITE_OPERATIONS } from './state.js';

export interface AwsFakeOptions {
  /** The one access key the fake accepts (default `AKIAKAGGFAKE00000001`). */
  accessKeyId?: string;
  secretAccessKey?: string;
  accountId?: string;
  /** GetFunction polls a new function stays Pending (default 2). */
  pendingPolls?: number;
  /** GetFunction polls an update stays InProgress (default 2). */
  updatePolls?: number;
  /** CreateFunction calls that fail with "cannot be assumed" after a role is created (default 1). */
  rolePropagationFailures?: number;
  /** Buckets that exist from the start (S3 staging). */
  buckets?: string[];
  /** Interpreter that runs deployed handlers (default `python3`). */
  python?: string;
  /** Direct-upload and unzipped limits (defaults: Lambda's 50 MB-ish request cap and 262144000). */
  zipLimit?: number;
  unzippedLimit?: number;
}

export interface AwsFake {
  url: string;
  port: number;
  accessKeyId: string;
  secretAccessKey: string;
  requests: RecordedRequest[];
  state: AwsFakeState;
  inject: {
    /** The next `count` CreateFunction calls naming `roleName` fail with the propagation error. */
    rolePropagationFailures(roleName: string, count: number): void;
    /** Puts an existing function into `InProgress` for `polls` polls, as a concurrent update would. */
    updateInProgress(functionName: string, polls: number): void;
    /**
     * A concurrent update starts just before the next `operation` (e.g. `UpdateFunctionConfiguration`)
     * on `functionName`: that call meets `InProgress` for `polls` polls and gets the 409.
     */
    concurrentUpdateBefore(operation: string, functionName: string, polls: number): void;
    /** Creates a role as if made earlier (outside kagg). */
    role(name: string): string;
    /**
     * The next `count` calls of an IAM or Lambda operation are refused with AccessDenied, as for an
     * identity missing that permission (or a run stopped at that step).
     */
    denyNext(operation: string, count?: number): void;
  };
  /** Recorded requests of one operation (e.g. `CreateFunction`). */
  calls(operation: string): RecordedRequest[];
  /** Operations that changed state, in order. */
  writes(): string[];
  /** The warm worker serving a function, if it has answered a request. */
  worker(functionName: string): PythonWorker | undefined;
  close(): Promise<void>;
}

function sendJson(res: ServerResponse, reply: JsonReply): void {
  const headers: Record<string, string> = { 'x-amzn-requestid': randomUUID() };
  if (reply.errorType) headers['x-amzn-errortype'] = reply.errorType;
  if (reply.body === undefined) {
    res.writeHead(reply.status, headers).end();
    return;
  }
  headers['content-type'] = 'application/json';
  res.writeHead(reply.status, headers).end(JSON.stringify(reply.body));
}

function sendXml(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': randomUUID() }).end(body);
}

function s3Error(res: ServerResponse, status: number, code: string, message: string): void {
  sendXml(
    res,
    status,
    `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message><RequestId>${randomUUID()}</RequestId></Error>`,
  );
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startAwsFake(options: AwsFakeOptions = {}): Promise<AwsFake> {
  const accessKeyId = options.accessKeyId ?? 'AKIAKAGGFAKE00000001';
  const secretAccessKey = options.secretAccessKey ?? 'kagg-fake-secret-key-0000000000000000000';
  const python = options.python ?? 'python3';
  const rolePropagationFailures = options.rolePropagationFailures ?? 1;
  const state: AwsFakeState = {
    accountId: options.accountId ?? '000000000000',
    roles: new Map(),
    functions: new Map(),
    logGroups: new Map(),
    buckets: new Map((options.buckets ?? []).map((b) => [b, new Map()])),
  };
  const requests: RecordedRequest[] = [];
  const workers = new Set<PythonWorker>();
  const concurrent: Array<{ operation: string; functionName: string; polls: number }> = [];
  const denied = new Map<string, number>();
  /** Takes one injected AccessDenied for `operation`, if any is left. */
  const deny = (operation: string | undefined): boolean => {
    const left = operation ? (denied.get(operation) ?? 0) : 0;
    if (left > 0 && operation) denied.set(operation, left - 1);
    return left > 0;
  };
  let baseUrl = '';

  const settings: LambdaSettings = {
    pendingPolls: options.pendingPolls ?? 2,
    updatePolls: options.updatePolls ?? 2,
    get baseUrl() {
      return baseUrl;
    },
    zipLimit: options.zipLimit ?? 52_428_800,
    unzippedLimit: options.unzippedLimit ?? 262_144_000,
    retire(fn: FakeFunction) {
      fn.worker?.close();
      fn.worker = undefined;
    },
  };

  async function authenticate(
    req: IncomingMessage,
    rawPath: string,
    rawQuery: string,
    body: Buffer,
  ): Promise<{ scope: SignedScope } | { code: 'missing' | 'unknown-key' | 'bad-signature' }> {
    const scope = parseAuthorization(req.headers.authorization);
    if (!scope) return { code: 'missing' };
    if (scope.accessKeyId !== accessKeyId) return { code: 'unknown-key' };
    const good = await verifySignature(
      { method: req.method ?? 'GET', rawPath, rawQuery, headers: req.headers, body },
      scope,
      secretAccessKey,
    );
    return good ? { scope } : { code: 'bad-signature' };
  }

  function workerFor(fn: FakeFunction): PythonWorker {
    if (fn.worker?.alive && fn.workerVersion === fn.version) return fn.worker;
    fn.worker?.close();
    const worker = new PythonWorker({
      zip: fn.zip,
      handler: fn.handler,
      timeoutSeconds: fn.timeout,
      python,
      env: {
        ...fn.environment,
        AWS_LAMBDA_FUNCTION_NAME: fn.name,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySize),
        AWS_REGION: fn.region,
        AWS_DEFAULT_REGION: fn.region,
        KAGG_FAKE_FUNCTION_ARN: fn.arn,
      },
      onLog: (line) => appendFunctionLog(state, fn, line),
    });
    workers.add(worker);
    fn.worker = worker;
    fn.workerVersion = fn.version;
    return worker;
  }

  async function serveFunctionUrl(
    req: IncomingMessage,
    res: ServerResponse,
    record: RecordedRequest,
    name: string,
    subPath: string,
    rawPath: string,
    rawQuery: string,
    body: Buffer,
  ): Promise<void> {
    const forbidden = () => {
      record.status = 403;
      res.writeHead(403, { 'content-type': 'application/json', 'x-amzn-errortype': 'AccessDeniedException' }).end(
        JSON.stringify({
          Message:
            'Forbidden. For troubleshooting Function URL authorization issues, see: https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html',
        }),
      );
    };
    const fn = state.functions.get(name);
    if (!fn?.url) {
      record.status = 404;
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ Message: null }));
      return;
    }
    let caller: { accessKeyId: string; accountId: string } | undefined;
    if (fn.url.authType === 'NONE') {
      if (!publicUrlAllowed(fn)) return forbidden();
    } else {
      const auth = await authenticate(req, rawPath, rawQuery, body);
      if (!('scope' in auth) || auth.scope.service !== 'lambda') return forbidden();
      caller = { accessKeyId: auth.scope.accessKeyId, accountId: state.accountId };
    }
    if (fn.state !== 'Active') {
      record.status = 503;
      res
        .writeHead(503, { 'content-type': 'application/json' })
        .end(JSON.stringify({ Message: 'Service Unavailable' }));
      return;
    }
    const event = buildEvent(
      {
        method: req.method ?? 'GET',
        path: subPath,
        rawQuery,
        headers: req.headers,
        body,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
      },
      { accountId: state.accountId, urlId: fn.url.urlId, region: fn.region, ...(caller ? { caller } : {}) },
    );
    const reply = await workerFor(fn).invoke(event, randomUUID());
    if (reply.error || reply.initError || reply.timedOut || !('result' in reply)) {
      record.status = 502;
      res
        .writeHead(502, { 'content-type': 'application/json' })
        .end(JSON.stringify({ Message: 'Internal Server Error' }));
      return;
    }
    const mapped = mapResult(reply.result);
    record.status = mapped.status;
    res.writeHead(mapped.status, { ...mapped.headers, 'x-amzn-requestid': randomUUID() }).end(mapped.body);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const rawPath = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const rawQuery = q < 0 ? '' : rawUrl.slice(q + 1);
    const searchParams = new URLSearchParams(rawQuery);
    const method = req.method ?? 'GET';
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers))
      if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    const record: RecordedRequest = {
      service: 'unknown',
      method,
      path: rawPath,
      query: Object.fromEntries(searchParams),
      headers,
      body,
    };
    requests.push(record);

    const fnUrl = /^\/fn\/([^/]+)(\/.*)?$/.exec(rawPath);
    if (fnUrl) {
      record.service = 'url';
      await serveFunctionUrl(
        req,
        res,
        record,
        decodeURIComponent(fnUrl[1] ?? ''),
        fnUrl[2] ?? '/',
        rawPath,
        rawQuery,
        body,
      );
      return;
    }

    const scope = parseAuthorization(req.headers.authorization);
    const service = scope?.service;
    if (scope && service !== 'iam' && !KNOWN_REGIONS.has(scope.region)) {
      // No such regional host on AWS: the caller's lookup would fail; here the connection drops.
      record.service = service === 'logs' || service === 's3' ? service : 'lambda';
      record.status = 0;
      req.socket.destroy();
      return;
    }
    const isIam =
      service === 'iam' ||
      (method === 'POST' &&
        rawPath === '/' &&
        (headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded'));
    if (isIam) {
      record.service = 'iam';
      const params = new URLSearchParams(body.toString('utf8'));
      record.operation = params.get('Action') ?? undefined;
      const auth = await authenticate(req, rawPath, rawQuery, body);
      if (!('scope' in auth)) {
        const reply =
          auth.code === 'bad-signature'
            ? iamError(
                403,
                'SignatureDoesNotMatch',
                'The request signature we calculated does not match the signature you provided.',
              )
            : auth.code === 'missing'
              ? iamError(403, 'MissingAuthenticationToken', 'Request is missing Authentication Token')
              : iamError(403, 'InvalidClientTokenId', 'The security token included in the request is invalid.');
        record.status = reply.status;
        return sendXml(res, reply.status, reply.body);
      }
      const reply = deny(record.operation)
        ? iamError(403, 'AccessDenied', `User is not authorized to perform: iam:${record.operation}`)
        : handleIam(state, params, rolePropagationFailures);
      record.status = reply.status;
      return sendXml(res, reply.status, reply.body);
    }

    if (service === 'logs') {
      record.service = 'logs';
      const target = headers['x-amz-target'] ?? '';
      record.operation = target.startsWith('Logs_20140328.') ? target.slice('Logs_20140328.'.length) : target;
      const auth = await authenticate(req, rawPath, rawQuery, body);
      if (!('scope' in auth)) {
        record.status = 400;
        return sendJson(res, {
          status: 400,
          errorType: 'UnrecognizedClientException',
          body: {
            __type: 'UnrecognizedClientException',
            message: 'The security token included in the request is invalid.',
          },
        });
      }
      let json: Record<string, unknown> = {};
      try {
        json = body.length > 0 ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : {};
      } catch {
        record.status = 400;
        return sendJson(res, {
          status: 400,
          errorType: 'SerializationException',
          body: { __type: 'SerializationException' },
        });
      }
      const reply = deny(record.operation)
        ? {
            status: 400,
            errorType: 'AccessDeniedException',
            body: {
              __type: 'AccessDeniedException',
              message: `User is not authorized to perform: logs:${record.operation}`,
            },
          }
        : handleLogs(state, record.operation, json, auth.scope.region);
      record.status = reply.status;
      return sendJson(res, reply);
    }

    if (service === 's3') {
      record.service = 's3';
      const auth = await authenticate(req, rawPath, rawQuery, body);
      if (!('scope' in auth)) {
        record.status = 403;
        return auth.code === 'bad-signature'
          ? s3Error(
              res,
              403,
              'SignatureDoesNotMatch',
              'The request signature we calculated does not match the signature you provided.',
            )
          : s3Error(
              res,
              403,
              'InvalidAccessKeyId',
              'The AWS Access Key Id you provided does not exist in our records.',
            );
      }
      // `/bucket/` too: the SDK's path-style CreateBucket ends with a slash (found by bench/aws/moto-crosscheck.mjs).
      const m = /^\/([^/]+)(?:\/(.*))?$/.exec(rawPath);
      const bucket = m?.[1] ? decodeURIComponent(m[1]) : undefined;
      const key = m?.[2] ? decodeURIComponent(m[2]) : undefined;
      if (method === 'PUT' && bucket && key && Object.keys(record.query).filter((k) => k !== 'x-id').length === 0) {
        record.operation = 'PutObject';
        const objects = state.buckets.get(bucket);
        if (!objects) {
          record.status = 404;
          return s3Error(res, 404, 'NoSuchBucket', 'The specified bucket does not exist');
        }
        objects.set(key, new Uint8Array(body));
        record.status = 200;
        res
          .writeHead(200, {
            etag: `"${createHash('md5').update(body).digest('hex')}"`,
            'x-amz-request-id': randomUUID(),
          })
          .end();
        return;
      }
      if (method === 'PUT' && bucket && !key) {
        record.operation = 'CreateBucket';
        if (state.buckets.has(bucket)) {
          record.status = 409;
          return s3Error(
            res,
            409,
            'BucketAlreadyOwnedByYou',
            'Your previous request to create the named bucket succeeded and you already own it.',
          );
        }
        state.buckets.set(bucket, new Map());
        record.status = 200;
        res.writeHead(200, { location: `/${bucket}` }).end();
        return;
      }
      if (method === 'HEAD' && bucket && !key) {
        record.operation = 'HeadBucket';
        record.status = state.buckets.has(bucket) ? 200 : 404;
        res.writeHead(record.status).end();
        return;
      }
      record.status = 501;
      return s3Error(res, 501, 'NotImplemented', `kagg fake: ${method} ${rawPath} is not implemented`);
    }

    record.service = 'lambda';
    let json: Record<string, unknown> = {};
    if (body.length > 0) {
      try {
        json = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
      } catch {
        record.status = 400;
        return sendJson(
          res,
          lambdaError(400, 'InvalidRequestContentException', 'Could not parse request body into json'),
        );
      }
    }
    const route = routeLambda(
      state,
      settings,
      method,
      decodeURI(rawPath),
      searchParams,
      json,
      scope?.region ?? 'us-east-1',
    );
    if (!route) {
      record.status = 404;
      return sendJson(
        res,
        lambdaError(404, 'UnknownOperationException', `kagg fake: no Lambda operation for ${method} ${rawPath}`),
      );
    }
    record.operation = route.operation;
    const pending = concurrent.findIndex((c) => c.operation === route.operation);
    if (pending >= 0) {
      const [c] = concurrent.splice(pending, 1);
      const fn = c ? state.functions.get(c.functionName) : undefined;
      if (c && fn) {
        fn.lastUpdateStatus = 'InProgress';
        fn.pollsLeft = c.polls;
      }
    }
    const auth = await authenticate(req, rawPath, rawQuery, body);
    if (!('scope' in auth)) {
      record.status = 403;
      const reply =
        auth.code === 'bad-signature'
          ? lambdaError(
              403,
              'InvalidSignatureException',
              'The request signature we calculated does not match the signature you provided.',
            )
          : auth.code === 'missing'
            ? lambdaError(403, 'MissingAuthenticationTokenException', 'Missing Authentication Token')
            : lambdaError(403, 'UnrecognizedClientException', 'The security token included in the request is invalid.');
      return sendJson(res, reply);
    }
    const reply = deny(route.operation)
      ? lambdaError(403, 'AccessDeniedException', `User is not authorized to perform: lambda:${route.operation}`)
      : route.run();
    record.status = reply.status;
    sendJson(res, reply);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json', 'x-amzn-errortype': 'ServiceException' });
      }
      res.end(JSON.stringify({ message: `kagg fake failure: ${String(error)}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  baseUrl = `http://127.0.0.1:${port}`;

  return {
    url: baseUrl,
    port,
    accessKeyId,
    secretAccessKey,
    requests,
    state,
    inject: {
      rolePropagationFailures(roleName: string, count: number) {
        const role = state.roles.get(roleName);
        if (!role) throw new Error(`no role ${roleName}`);
        role.propagationFailuresLeft = count;
      },
      updateInProgress(functionName: string, polls: number) {
        const fn = state.functions.get(functionName);
        if (!fn) throw new Error(`no function ${functionName}`);
        fn.lastUpdateStatus = 'InProgress';
        fn.pollsLeft = polls;
      },
      concurrentUpdateBefore(operation: string, functionName: string, polls: number) {
        concurrent.push({ operation, functionName, polls });
      },
      denyNext(operation: string, count = 1) {
        denied.set(operation, (denied.get(operation) ?? 0) + count);
      },
      role(name: string) {
        handleIam(
          state,
          new URLSearchParams({
            Action: 'CreateRole',
            Version: '2010-05-08',
            RoleName: name,
            AssumeRolePolicyDocument: JSON.stringify({
              Version: '2012-10-17',
              Statement: [
                { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
              ],
            }),
          }),
          0,
        );
        return state.roles.get(name)?.arn ?? '';
      },
    },
    calls(operation: string) {
      return requests.filter((r) => r.operation === operation);
    },
    writes() {
      return requests
        .filter((r) => r.operation !== undefined && WRITE_OPERATIONS_SET.has(r.operation))
        .map((r) => r.operation as string);
    },
    worker(functionName: string) {
      return state.functions.get(functionName)?.worker;
    },
    async close() {
      for (const w of workers) w.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
