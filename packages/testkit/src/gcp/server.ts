/**
 * A strict Google Cloud fake on 127.0.0.1 (contract §7.3): the Cloud Functions v2 REST API (as the
 * real @google-cloud/functions client speaks it in REST fallback mode), the signed upload URL it hands
 * out, the Cloud Run IAM of each function's service, and the function URLs, which run the deployed
 * `main.py` under a real python3 with Flask the way functions-framework does. Every API request must
 * carry `Authorization: Bearer <accessToken>`; long-running operations stay pending for a few polls;
 * errors come in Google's `{error: {code, message, status}}` envelope. Every request is recorded.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { unzipFiles, zipFiles } from '@kagg/plugin-api/kit';
import { PythonWorker } from '../aws/worker.js';
import {
  ApiError,
  etagOf,
  type GcpRecordedRequest,
  type IamPolicy,
  iamCall,
  Operations,
  type OpResult,
  recordedRequest,
  sendError,
  sendJson,
} from './common.js';

export type { GcpRecordedRequest } from './common.js';

export interface GcpFakeFunction {
  name: string;
  project: string;
  region: string;
  id: string;
  /** The Function resource as the API returns it (enums as names). */
  resource: Record<string, unknown>;
  zip: Uint8Array;
  worker?: PythonWorker;
}

export interface GcpFakeOptions {
  /** The one OAuth access token the API accepts (default `kagg-fake-gcp-access-token`). */
  accessToken?: string;
  /** The identity token private function URLs accept (default `kagg-fake-gcp-identity-token`). */
  identityToken?: string;
  /** Projects that exist (default `['kagg-test']`). */
  projects?: string[];
  /** Regions with Cloud Functions (default us-central1, europe-west1, europe-west4, asia-east1). */
  regions?: string[];
  /** getOperation polls before an operation is done (default 2). */
  operationPolls?: number;
  /** Interpreter with Flask that runs deployed functions (default KAGG_FLASK_PYTHON or python3). */
  python?: string;
}

export interface GcpFake {
  /** `http://127.0.0.1:<port>`: what KAGG_GCP_API_ENDPOINT points at. */
  url: string;
  accessToken: string;
  identityToken: string;
  requests: GcpRecordedRequest[];
  functions: Map<string, GcpFakeFunction>;
  /** IAM policies by Cloud Run service name. */
  policies: Map<string, IamPolicy>;
  inject: {
    /** The next build of `functionId` fails with this message (operation error, state FAILED). */
    buildFailure(functionId: string, message: string): void;
    /** Someone changes the service's policy just before kagg's next setIamPolicy: its etag is stale. */
    concurrentIamChange(service: string): void;
  };
  /** Requests whose method and path match (e.g. `POST`, /functions\?|functions$/). */
  calls(method: string, path: RegExp): GcpRecordedRequest[];
  /** State-changing API calls, in order (`createFunction`, `setIamPolicy`...). */
  writes(): string[];
  close(): Promise<void>;
}

const GRPC_CODES: Record<string, number> = { INVALID_ARGUMENT: 3, FAILED_PRECONDITION: 9, ABORTED: 10 };
const ENUMS: Record<string, Record<number, string>> = {
  environment: { 1: 'GEN_1', 2: 'GEN_2' },
  ingressSettings: { 1: 'ALLOW_ALL', 2: 'ALLOW_INTERNAL_ONLY', 3: 'ALLOW_INTERNAL_AND_GCLB' },
};
const RUNTIMES = ['python310', 'python311', 'python312', 'python313'];
const ID = /^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/;

/** Enums arrive as numbers (REST fallback) or names: the fake keeps names. */
function enumName(field: string, value: unknown): unknown {
  return typeof value === 'number' ? (ENUMS[field]?.[value] ?? value) : value;
}

const SHIM = `
import base64, importlib, os
import flask
_app = flask.Flask("kagg-gcf-fake")
_target = getattr(importlib.import_module("main"), os.environ["FUNCTION_TARGET"])
_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"]

def _view(path=""):
    return _target(flask.request._get_current_object())

_app.add_url_rule("/", "root", _view, methods=_METHODS, defaults={"path": ""})
_app.add_url_rule("/<path:path>", "run", _view, methods=_METHODS)
_client = _app.test_client()

def handle(event, context=None):
    r = _client.open(event["path"], method=event["method"], query_string=event["query"],
                     headers=event["headers"], data=base64.b64decode(event["body"]))
    return {"status": r.status_code, "headers": [[k, v] for k, v in r.headers.items()],
            "body": base64.b64encode(r.get_data()).decode("ascii")}
`;

export async function startGcpFake(options: GcpFakeOptions = {}): Promise<GcpFake> {
  const accessToken = options.accessToken ?? 'kagg-fake-gcp-access-token';
  const identityToken = options.identityToken ?? 'kagg-fake-gcp-identity-token';
  const projects = new Set(options.projects ?? ['kagg-test']);
  const regions = new Set(options.regions ?? ['us-central1', 'europe-west1', 'europe-west4', 'asia-east1']);
  const polls = options.operationPolls ?? 2;
  const python = options.python ?? process.env.KAGG_FLASK_PYTHON ?? 'python3';
  const requests: GcpRecordedRequest[] = [];
  const writes: string[] = [];
  const uploads = new Map<string, Uint8Array | undefined>();
  const functions = new Map<string, GcpFakeFunction>();
  const policies = new Map<string, IamPolicy>();
  const operations = new Operations(polls);
  const buildFailures = new Map<string, string>();
  const iamChanges = new Set<string>();
  let base = '';

  const operation = (parent: string, verb: string, target: string, finish: () => OpResult) =>
    operations.start(
      parent,
      target,
      { '@type': 'type.googleapis.com/google.cloud.functions.v2.OperationMetadata', target, verb },
      finish,
    );

  const functionJson = (fn: GcpFakeFunction) => ({
    '@type': 'type.googleapis.com/google.cloud.functions.v2.Function',
    ...fn.resource,
  });

  /** Runs the "build": the source must hold main.py defining the entry point, and requirements.txt. */
  const build = (fn: GcpFakeFunction): string | undefined => {
    const injected = buildFailures.get(fn.id);
    if (injected !== undefined) {
      buildFailures.delete(fn.id);
      return injected;
    }
    const files = new Map(unzipFiles(fn.zip).map((f) => [f.path, Buffer.from(f.data).toString('utf8')]));
    const entry = String((fn.resource.buildConfig as Record<string, unknown>).entryPoint ?? '');
    if (!files.get('main.py')?.includes(`def ${entry}(`))
      return `Function failed on loading user code. Entry point "${entry}" not found in main.py`;
    if (!files.has('requirements.txt')) return 'Build failed: requirements.txt is missing';
    return undefined;
  };

  const sourceOf = (body: Record<string, unknown>): Uint8Array => {
    const storage = ((body.buildConfig as Record<string, unknown>)?.source as Record<string, unknown>)?.storageSource as
      | { object?: string }
      | undefined;
    const zip = storage?.object ? uploads.get(storage.object) : undefined;
    if (!zip) throw new ApiError(400, 'buildConfig.source.storageSource names no uploaded object');
    return zip;
  };

  const finishDeploy = (fn: GcpFakeFunction) => () => {
    const failure = build(fn);
    fn.worker?.close();
    fn.worker = undefined;
    if (failure) {
      fn.resource.state = 'FAILED';
      fn.resource.stateMessages = [
        { severity: 'ERROR', type: 'BuildFailed', message: `${failure}. Build log: ${base}/build-logs/${fn.id}` },
      ];
      return { error: { code: GRPC_CODES.FAILED_PRECONDITION as number, message: failure } };
    }
    fn.resource.state = 'ACTIVE';
    fn.resource.stateMessages = [];
    fn.resource.updateTime = new Date().toISOString();
    return { response: functionJson(fn) };
  };

  const applyBody = (fn: GcpFakeFunction, body: Record<string, unknown>, mask?: string[]) => {
    const build_ = { ...((body.buildConfig as Record<string, unknown>) ?? {}) };
    const service = { ...((body.serviceConfig as Record<string, unknown>) ?? {}) };
    if (service.ingressSettings !== undefined)
      service.ingressSettings = enumName('ingressSettings', service.ingressSettings);
    const current = fn.resource;
    const has = (p: string) =>
      !mask || mask.some((m) => m === p || m.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()) === p);
    const wholeBuild = has('buildConfig');
    const wholeService = has('serviceConfig');
    const oldBuild = (current.buildConfig as Record<string, unknown>) ?? {};
    const oldService = (current.serviceConfig as Record<string, unknown>) ?? {};
    const nextBuild: Record<string, unknown> = wholeBuild ? { ...build_ } : { ...oldBuild };
    const nextService: Record<string, unknown> = wholeService ? { ...service } : { ...oldService };
    for (const m of mask ?? []) {
      const [head, field] = m.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()).split('.');
      if (head === 'buildConfig' && field) nextBuild[field] = build_[field];
      if (head === 'serviceConfig' && field) nextService[field] = service[field];
    }
    if (has('labels')) current.labels = body.labels ?? {};
    current.buildConfig = nextBuild;
    current.serviceConfig = {
      ...nextService,
      service: `projects/${fn.project}/locations/${fn.region}/services/${fn.id}`,
      uri: `${base}/fn/${fn.region}/${fn.id}`,
    };
    current.url = `${base}/fn/${fn.region}/${fn.id}`;
  };

  const api = (req: GcpRecordedRequest): { status: number; body: unknown } => {
    if (req.headers.authorization !== `Bearer ${accessToken}`)
      throw new ApiError(401, 'Request had invalid authentication credentials. Expected OAuth 2 access token.');
    const m = /^\/v2\/projects\/([^/]+)\/locations\/([^/]+)\/(.+)$/.exec(req.path);
    if (!m) throw new ApiError(404, `no route ${req.method} ${req.path}`);
    const [, project, region, rest] = m as unknown as [string, string, string, string];
    if (!projects.has(project))
      throw new ApiError(403, `Permission denied on resource project ${project} (or it may not exist).`);
    if (!regions.has(region))
      throw new ApiError(404, `Location ${region} is not found or Cloud Functions is not available there.`);
    const parent = `projects/${project}/locations/${region}`;
    const body = req.body.length > 0 ? (JSON.parse(req.body.toString('utf8')) as Record<string, unknown>) : {};
    if (req.method === 'GET' && rest === 'runtimes') {
      return {
        status: 200,
        body: { runtimes: RUNTIMES.map((name) => ({ name, displayName: name, stage: 'GA', environment: 'GEN_2' })) },
      };
    }
    if (req.method === 'POST' && rest === 'functions:generateUploadUrl') {
      if (enumName('environment', body.environment) !== 'GEN_2') throw new ApiError(400, 'environment must be GEN_2');
      const object = `${randomUUID()}.zip`;
      uploads.set(object, undefined);
      return {
        status: 200,
        body: {
          uploadUrl: `${base}/upload/${object}`,
          storageSource: { bucket: `gcf-v2-uploads-${project}-${region}`, object },
        },
      };
    }
    if (req.method === 'POST' && rest === 'functions') {
      const id = req.query.functionId ?? '';
      if (!ID.test(id)) throw new ApiError(400, `invalid functionId "${id}"`);
      const name = `${parent}/functions/${id}`;
      if (functions.has(name)) throw new ApiError(409, `Function ${id} in region ${region} already exists`);
      if (enumName('environment', body.environment) !== 'GEN_2') throw new ApiError(400, 'environment must be GEN_2');
      const zip = sourceOf(body);
      const fn: GcpFakeFunction = {
        name,
        project,
        region,
        id,
        zip,
        resource: { name, environment: 'GEN_2', state: 'DEPLOYING' },
      };
      applyBody(fn, body);
      functions.set(name, fn);
      policies.set(`${parent}/services/${id}`, { etag: etagOf(id), bindings: [] });
      writes.push('createFunction');
      return { status: 200, body: operation(parent, 'create', name, finishDeploy(fn)) };
    }
    const fm = /^functions\/([^/:]+)$/.exec(rest);
    if (fm) {
      const name = `${parent}/functions/${fm[1]}`;
      if (req.method === 'GET') operations.touch(name);
      const fn = functions.get(name);
      if (!fn) throw new ApiError(404, `Resource '${name}' was not found`);
      if (req.method === 'GET') return { status: 200, body: functionJson(fn) };
      if (req.method === 'PATCH') {
        const mask = req.query.updateMask?.split(',').filter(Boolean);
        if (!mask || mask.length === 0) throw new ApiError(400, 'updateMask is required');
        const touchesSource = mask.some((p) => /^build_?[cC]onfig(\.source)?$/.test(p));
        if (touchesSource) fn.zip = sourceOf(body);
        applyBody(fn, body, mask);
        fn.resource.state = 'DEPLOYING';
        writes.push('updateFunction');
        return { status: 200, body: operation(parent, 'update', name, finishDeploy(fn)) };
      }
      if (req.method === 'DELETE') {
        fn.resource.state = 'DELETING';
        writes.push('deleteFunction');
        return {
          status: 200,
          body: operation(parent, 'delete', name, () => {
            functions.delete(name);
            policies.delete(`${parent}/services/${fn.id}`);
            fn.worker?.close();
            return { response: { '@type': 'type.googleapis.com/google.protobuf.Empty' } };
          }),
        };
      }
    }
    if (/^operations\/[^/]+$/.test(rest) && req.method === 'GET')
      return { status: 200, body: operations.get(`${parent}/${rest}`) };
    const sm = /^services\/([^/:]+):(getIamPolicy|setIamPolicy)$/.exec(rest);
    if (sm) {
      const service = `${parent}/services/${sm[1]}`;
      return { status: 200, body: iamCall(policies, iamChanges, writes, service, sm[2] as string, req, body) };
    }
    throw new ApiError(404, `no route ${req.method} ${req.path}`);
  };

  const invoke = async (req: GcpRecordedRequest, res: ServerResponse) => {
    const m = /^\/fn\/([^/]+)\/([^/]+)(\/.*)?$/.exec(req.path) as [string, string, string, string?] | null;
    const fn = m ? [...functions.values()].find((f) => f.region === m[1] && f.id === m[2]) : undefined;
    if (!m || !fn || fn.resource.state !== 'ACTIVE') {
      res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Error: Page not found</h1>');
      return;
    }
    const policy = policies.get(`projects/${fn.project}/locations/${fn.region}/services/${fn.id}`);
    const invokers = policy?.bindings.find((b) => b.role === 'roles/run.invoker')?.members ?? [];
    if (!invokers.includes('allUsers') && req.headers.authorization !== `Bearer ${identityToken}`) {
      res
        .writeHead(req.headers.authorization ? 403 : 401, { 'content-type': 'text/html' })
        .end('<h1>Error: Forbidden</h1><h2>Your client does not have permission to get URL from this server.</h2>');
      return;
    }
    if (!fn.worker?.alive) {
      const shim = { path: 'kagg_gcf_fake_shim.py', data: new TextEncoder().encode(SHIM), mode: 0o644 };
      const service = fn.resource.serviceConfig as {
        environmentVariables?: Record<string, string>;
        timeoutSeconds?: number;
      };
      fn.worker = new PythonWorker({
        zip: zipFiles([...unzipFiles(fn.zip), shim]),
        handler: 'kagg_gcf_fake_shim.handle',
        env: {
          ...(service.environmentVariables ?? {}),
          FUNCTION_TARGET: String((fn.resource.buildConfig as { entryPoint?: string }).entryPoint),
          K_SERVICE: fn.id,
        },
        timeoutSeconds: service.timeoutSeconds ?? 60,
        python,
      });
    }
    const headers = Object.fromEntries(
      Object.entries(req.headers).filter(([k]) => k !== 'host' && k !== 'authorization'),
    );
    const reply = await fn.worker.invoke(
      {
        method: req.method,
        path: m[3] ?? '/',
        query: new URLSearchParams(req.query).toString(),
        headers,
        body: req.body.toString('base64'),
      },
      randomUUID(),
    );
    const result = reply.result as { status: number; headers: Array<[string, string]>; body: string } | undefined;
    if (!result) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(`function crashed: ${JSON.stringify(reply)}`);
      return;
    }
    const out: Record<string, string[]> = {};
    for (const [k, v] of result.headers) {
      if (k.toLowerCase() === 'content-length') continue;
      out[k] = [...(out[k] ?? []), v];
    }
    res.writeHead(result.status, out).end(Buffer.from(result.body, 'base64'));
  };

  const server = createServer((incoming: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (c: Buffer) => chunks.push(c));
    incoming.on('end', () => {
      const req = recordedRequest(incoming, Buffer.concat(chunks));
      requests.push(req);
      const send = (status: number, body: unknown) => sendJson(res, status, body);
      const um = /^\/upload\/([^/]+)$/.exec(req.path);
      if (um) {
        const object = um[1] as string;
        if (req.method !== 'PUT' || !uploads.has(object)) return send(404, { error: 'no such upload URL' });
        if (req.headers.authorization) return send(400, { error: 'a signed URL upload must not carry Authorization' });
        if (req.headers['content-type'] !== 'application/zip')
          return send(400, { error: `content-type must be application/zip, got ${req.headers['content-type']}` });
        uploads.set(object, new Uint8Array(req.body));
        return send(200, {});
      }
      if (req.path.startsWith('/fn/')) {
        invoke(req, res).catch((error: unknown) => {
          if (!res.headersSent) res.writeHead(500).end(String(error));
        });
        return;
      }
      try {
        const reply = api(req);
        send(reply.status, reply.body);
      } catch (error) {
        sendError(res, error);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: base,
    accessToken,
    identityToken,
    requests,
    functions,
    policies,
    inject: {
      buildFailure: (functionId, message) => buildFailures.set(functionId, message),
      concurrentIamChange: (service) => iamChanges.add(service),
    },
    calls: (method, path) => requests.filter((r) => r.method === method && path.test(r.path)),
    writes: () => [...writes],
    close: async () => {
      for (const fn of functions.values()) fn.worker?.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
