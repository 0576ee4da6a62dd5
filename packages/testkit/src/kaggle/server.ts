/**
 * A strict fake of Kaggle's RPC API (contracts/kaggle-api.md §6) on 127.0.0.1:
 *   POST /v1/kernels.KernelsApiService/{ListKernels,GetKernel,SaveKernel,GetKernelSessionStatus,ListKernelSessionOutput}
 *   POST /v1/security.OAuthService/IntrospectToken     (credentials required, as Kaggle's)
 *   POST /v1/users.AccountService/GenerateAccessToken  (OAuth refresh: a known refreshToken mints a token)
 *   POST /v1/kernels.KernelsApiService/{ListKernelFiles,DeleteKernel,CancelKernelSession,GetAcceleratorQuotaStatistics}
 *   GET  /v1/kernels/logs/stream/<owner>/<slug>   a running session's log as SSE (`data: {stream_name,time,data}`
 *        events, then `data: END_OF_LOG`); a finished session's as its JSON array (kaggle-cli kernels_logs_stream)
 *   GET  /storage/<id>/<name>?X-Goog-Signature=…   signed output files (no Authorization header allowed)
 * Strict: unknown request fields, wrong types and unknown enum names are 400s; responses omit default
 * fields as proto JSON does. It records every request, and injects faults on demand (status codes in
 * either envelope, Retry-After with seconds or a date, connection resets, latency) plus a rate limit.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { type EnumStyle, type Envelope, errorBody, omitDefaults, spellEnum } from './proto.js';
import {
  type FakeKernel,
  type FakeKernelInit,
  type FakeUser,
  finishedSession,
  logText,
  makeSession,
  pollStatus,
  type RunScript,
  type Session,
} from './state.js';

export interface FakeKaggleOptions {
  /** Accounts (default: alice with key `alicekey0123456789abcdef01234567` and token `KGAT_alice_token_0001`). */
  users?: FakeUser[];
  /** Delay before every answer. */
  latencyMs?: number;
  /** Requests per second above which the server answers 429 (with Retry-After). */
  rateLimit?: RateLimitOptions;
  /** How enum values are spelled in answers (default NAME, e.g. COMPLETE). */
  enumStyle?: EnumStyle;
  /** Envelope of error answers (default google: `{"error":{code,message,status}}`). */
  envelope?: Envelope;
  /** Send `files: null` instead of omitting an empty output list. */
  nullFiles?: boolean;
  /** Output files per page of ListKernelSessionOutput when the client asks for more (default: as asked, max 200). */
  maxOutputPageSize?: number;
  /** Known datasets / competitions / models / tags: sources outside these are dropped on push. */
  datasets?: string[];
  competitions?: string[];
  models?: string[];
  tags?: string[];
}

export interface RateLimitOptions {
  perSecond: number;
  /** Bucket size (default 4). */
  burst?: number;
  /** Send Retry-After on 429 (default true). */
  retryAfter?: boolean;
  /** `all` (default) or `api` (storage downloads not limited). */
  scope?: 'all' | 'api';
}

export interface Fault {
  /** RPC method name (`ListKernels`), `storage`, or `*` (default). */
  target?: string;
  /** Answer status (default 500). */
  status?: number;
  /** Retry-After header value (seconds or an HTTP date). */
  retryAfter?: number | string;
  envelope?: Envelope;
  /** A custom JSON body (e.g. HTTP 200 with `code: 429`). */
  body?: unknown;
  /** Destroy the connection instead of answering. */
  reset?: boolean;
  /** Only delay, then answer normally. */
  latencyMs?: number;
  /** How many requests it hits (default 1). */
  times?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  /** RPC method name for API calls. */
  rpc?: string;
  storage: boolean;
  headers: IncomingHttpHeaders;
  body: unknown;
  status: number;
  /** Set when a fault or the rate limit produced the answer. */
  fault?: string;
  at: number;
}

const DEFAULT_USERS: FakeUser[] = [
  { username: 'alice', key: 'alicekey0123456789abcdef01234567', token: 'KGAT_alice_token_0001' },
];

const LIST_FIELDS = new Set([
  'page',
  'pageSize',
  'pageToken',
  'search',
  'group',
  'user',
  'competition',
  'dataset',
  'parentKernel',
  'kernelType',
  'language',
  'outputType',
  'sortBy',
]);
const REF_FIELDS = new Set(['userName', 'kernelSlug', 'versionLabel']);
const OUTPUT_FIELDS = new Set(['userName', 'kernelSlug', 'versionLabel', 'pageSize', 'pageToken']);
const SAVE_FIELDS: Record<string, 'int' | 'string' | 'bool' | 'list'> = {
  id: 'int',
  slug: 'string',
  newTitle: 'string',
  text: 'string',
  language: 'string',
  kernelType: 'string',
  isPrivate: 'bool',
  enableGpu: 'bool',
  enableTpu: 'bool',
  enableInternet: 'bool',
  datasetDataSources: 'list',
  competitionDataSources: 'list',
  kernelDataSources: 'list',
  modelDataSources: 'list',
  categoryIds: 'list',
  dockerImagePinningType: 'string',
  dockerImage: 'string',
  machineShape: 'string',
  sessionTimeoutSeconds: 'int',
  kernelExecutionType: 'string',
  priority: 'int',
};
const KERNEL_EXECUTION_TYPES = ['KERNEL_EXECUTION_TYPE_UNSPECIFIED', 'SAVE_AND_RUN_ALL', 'INTER_ACTIVE', 'QUICK_SAVE'];
const GROUPS = [
  'EVERYONE',
  'PROFILE',
  'UPVOTED',
  'COLLABORATION',
  'FORK',
  'BOOKMARKED',
  'RECENTLY_VIEWED',
  'PUBLIC_AND_USERS_PRIVATE',
];
const SORTS = [
  'HOTNESS',
  'COMMENT_COUNT',
  'DATE_CREATED',
  'DATE_RUN',
  'RELEVANCE',
  'SCORE_ASCENDING',
  'SCORE_DESCENDING',
  'VIEW_COUNT',
  'VOTE_COUNT',
];

class HttpFail extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export class FakeKaggle {
  /** API base to give the client (`KAGG_KAGGLE_API_URL`), e.g. http://127.0.0.1:1234/v1. */
  url = '';
  /** http://127.0.0.1:port */
  origin = '';
  readonly requests: RecordedRequest[] = [];
  readonly kernels: FakeKernel[] = [];
  readonly users: FakeUser[];
  readonly faults: Fault[] = [];
  latencyMs: number;
  rateLimit: RateLimitOptions | undefined;
  enumStyle: EnumStyle;
  envelope: Envelope;
  nullFiles: boolean;
  readonly datasets: Set<string>;
  readonly competitions: Set<string>;
  readonly models: Set<string>;
  readonly tags: Set<string>;
  private server: http.Server | undefined;
  private nextId = 1000;
  private readonly secret = randomBytes(16);
  private bucket = { tokens: 0, last: 0 };
  private readonly sockets = new Set<Socket>();
  private handling = 0;
  private readonly maxOutputPageSize: number;

  constructor(options: FakeKaggleOptions = {}) {
    this.users = options.users ?? DEFAULT_USERS.map((u) => ({ ...u }));
    this.latencyMs = options.latencyMs ?? 0;
    this.rateLimit = options.rateLimit;
    this.enumStyle = options.enumStyle ?? 'NAME';
    this.envelope = options.envelope ?? 'google';
    this.nullFiles = options.nullFiles ?? false;
    this.maxOutputPageSize = options.maxOutputPageSize ?? 200;
    this.datasets = new Set(options.datasets ?? ['kaggle/titanic-data', 'alice/iris']);
    this.competitions = new Set(options.competitions ?? ['titanic', 'digit-recognizer']);
    this.models = new Set(options.models ?? ['google/gemma/pytorch/2b/1']);
    this.tags = new Set(options.tags ?? ['beginner', 'classification', 'deep learning', 'data visualization']);
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      this.handling++;
      this.handle(req, res)
        .catch((error: unknown) => {
          if (!res.headersSent) this.sendError(res, 500, `fake server bug: ${(error as Error).message}`);
        })
        .finally(() => this.handling--);
    });
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.origin = `http://127.0.0.1:${port}`;
    this.url = `${this.origin}/v1`;
    return this;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    this.server = undefined;
  }

  /**
   * True when no connection is open and no request is being handled: every request a client sent
   * (one since killed included) has been received and has taken effect, or never will.
   */
  idle(): boolean {
    return this.sockets.size === 0 && this.handling === 0;
  }

  /** Adds a kernel with `versions` finished versions (default 1). */
  addKernel(init: FakeKernelInit): FakeKernel {
    const kernel: FakeKernel = {
      id: this.nextId++,
      owner: init.owner,
      slug: init.slug,
      title: init.title ?? init.slug.replace(/-/g, ' ').replace(/\b\w/g, (c) => c.toUpperCase()),
      language: init.language ?? 'python',
      kernelType: init.kernelType ?? 'notebook',
      isPrivate: init.isPrivate ?? false,
      enableGpu: init.enableGpu ?? false,
      enableTpu: init.enableTpu ?? false,
      enableInternet: init.enableInternet ?? true,
      categoryIds: init.categoryIds ?? [],
      datasetDataSources: init.datasetDataSources ?? [],
      competitionDataSources: init.competitionDataSources ?? [],
      kernelDataSources: init.kernelDataSources ?? [],
      modelDataSources: init.modelDataSources ?? [],
      parent: init.parent ?? '',
      totalVotes: init.totalVotes ?? 0,
      viewCount: init.viewCount ?? 0,
      commentCount: init.commentCount ?? 0,
      created: new Date(Date.now() - 86_400_000 + this.kernels.length * 1000),
      lastRunTime: init.lastRunTime ?? new Date(Date.UTC(2026, 0, 1 + (this.kernels.length % 28))).toISOString(),
      dockerImage: init.dockerImage ?? '',
      machineShape: init.machineShape ?? '',
      versions: [],
      nextRuns: [],
      pushes: [],
    };
    const count = init.versions ?? 1;
    const source = init.source ?? defaultSource(kernel.kernelType);
    for (let v = 1; v <= count; v++) {
      kernel.versions.push({ number: v, text: source, session: finishedSession(v, v === count ? init : {}) });
    }
    this.kernels.push(kernel);
    return kernel;
  }

  kernel(ref: string): FakeKernel | undefined {
    const [owner, slug] = ref.split('/');
    return this.kernels.find((k) => k.owner === owner && k.slug === slug);
  }

  /** Scripts what the next push of `ref` does when it runs (queued in order). */
  scriptNextRun(ref: string, script: RunScript): void {
    const k = this.kernel(ref);
    if (!k) throw new Error(`no kernel ${ref}`);
    k.nextRuns.push(script);
  }

  /** Scripts the run of a kernel that does not exist yet (its first push). */
  private pendingScripts = new Map<string, RunScript[]>();
  scriptFirstRun(ref: string, script: RunScript): void {
    const list = this.pendingScripts.get(ref) ?? [];
    list.push(script);
    this.pendingScripts.set(ref, list);
  }

  inject(fault: Fault): void {
    this.faults.push({ ...fault, times: fault.times ?? 1 });
  }

  /** Requests of an RPC method (or `storage`). */
  calls(target: string): RecordedRequest[] {
    return this.requests.filter((r) => (target === 'storage' ? r.storage : r.rpc === target));
  }

  /** The ListKernelSessionOutput page token that starts at file `offset`. */
  outputPageToken(offset: number): string {
    return Buffer.from(`off:${offset}`).toString('base64url');
  }

  /** The signed URL of a stored file (what ListKernelSessionOutput hands out). */
  signedUrl(fileId: string, fileName: string): string {
    const expires = Math.floor(Date.now() / 1000) + 3600;
    const sig = this.sign(`${fileId}:${expires}`);
    const name = encodeURIComponent(fileName.split('/').pop() || 'file');
    return `${this.origin}/storage/${fileId}/${name}?X-Goog-Algorithm=GOOG4-HMAC-SHA256&X-Goog-Expires=${expires}&X-Goog-Signature=${sig}`;
  }

  private sign(text: string): string {
    return createHmac('sha256', this.secret).update(text).digest('hex');
  }

  // ---- HTTP plumbing -------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://x');
    const storage = url.pathname.startsWith('/storage/');
    const rpcMatch = /^\/v1\/([\w.]+)\/(\w+)$/.exec(url.pathname);
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      path: `${url.pathname}${url.search}`,
      rpc: rpcMatch ? rpcMatch[2] : undefined,
      storage,
      headers: req.headers,
      body: parseJson(raw),
      status: 0,
      at: Date.now(),
    };
    this.requests.push(record);
    const reply = (status: number) => {
      record.status = status;
    };
    if (this.latencyMs > 0) await delay(this.latencyMs);

    if (this.rateLimit && (this.rateLimit.scope !== 'api' || !storage) && !this.takeToken()) {
      record.fault = 'rate-limit';
      reply(429);
      const headers: Record<string, string> = {};
      if (this.rateLimit.retryAfter !== false)
        headers['retry-after'] = String(Math.max(1, Math.ceil(1 / this.rateLimit.perSecond)));
      this.sendError(res, 429, 'Too many requests', this.envelope, headers);
      return;
    }

    const fault = this.takeFault(storage ? 'storage' : (record.rpc ?? ''));
    if (fault) {
      record.fault = fault.reset
        ? 'reset'
        : fault.latencyMs && !fault.status
          ? 'latency'
          : `status ${fault.status ?? 500}`;
      if (fault.latencyMs) await delay(fault.latencyMs);
      if (fault.reset) {
        reply(-1);
        req.socket.destroy();
        return;
      }
      if (fault.status !== undefined || fault.body !== undefined || !fault.latencyMs) {
        const status = fault.status ?? 500;
        reply(status);
        const headers: Record<string, string> = {};
        if (fault.retryAfter !== undefined) headers['retry-after'] = String(fault.retryAfter);
        if (fault.body !== undefined) {
          res.writeHead(status, { 'content-type': 'application/json', ...headers });
          res.end(JSON.stringify(fault.body));
          return;
        }
        this.sendError(
          res,
          status,
          status === 429 ? 'Too many requests' : status >= 500 ? 'Internal error' : 'Injected error',
          fault.envelope ?? this.envelope,
          headers,
        );
        return;
      }
    }

    try {
      if (storage) {
        this.serveStorage(req, url, res, reply);
        return;
      }
      const logs = /^\/v1\/kernels\/logs\/stream\/([^/]+)\/([^/]+)$/.exec(url.pathname);
      if (logs) {
        await this.streamLogs(req, res, reply, logs[1] ?? '', logs[2] ?? '');
        return;
      }
      if (!rpcMatch) throw new HttpFail(404, `No route for ${url.pathname}`);
      if (req.method !== 'POST') throw new HttpFail(405, `${req.method} is not allowed; the RPC API takes POST`);
      if (!/^application\/json\b/.test(req.headers['content-type'] ?? ''))
        throw new HttpFail(400, 'Content-Type must be application/json');
      const body = record.body;
      if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
        throw new HttpFail(400, 'Invalid JSON payload received: the body must be a JSON object');
      }
      const user = this.authenticate(req.headers.authorization);
      const service = rpcMatch[1];
      const method = rpcMatch[2] ?? '';
      let answer: unknown;
      if (service === 'users.AccountService' && method === 'GenerateAccessToken')
        answer = this.generateAccessToken(body as Record<string, unknown>);
      else if (!user) throw new HttpFail(401, 'Unauthenticated: missing or invalid credentials');
      else if (service === 'security.OAuthService' && method === 'IntrospectToken')
        answer = this.introspect(body as Record<string, unknown>);
      else if (service !== 'kernels.KernelsApiService') throw new HttpFail(404, `Unknown service ${service}`);
      else answer = this.rpc(method, body as Record<string, unknown>, user);
      reply(200);
      res.writeHead(200, { 'content-type': 'application/json', 'x-kaggle-apiversion': '2.2.3' });
      res.end(JSON.stringify(answer));
    } catch (error) {
      if (!(error instanceof HttpFail)) throw error;
      reply(error.status);
      this.sendError(res, error.status, error.message);
    }
  }

  private sendError(
    res: ServerResponse,
    status: number,
    message: string,
    envelope: Envelope = this.envelope,
    headers: Record<string, string> = {},
  ): void {
    const { body, contentType } = errorBody(status, message, envelope);
    res.writeHead(status, { 'content-type': contentType, ...headers });
    res.end(body);
  }

  private takeToken(): boolean {
    const rl = this.rateLimit;
    if (!rl) return true;
    const now = performance.now();
    const burst = rl.burst ?? 4;
    if (this.bucket.last === 0) this.bucket = { tokens: burst, last: now };
    this.bucket.tokens = Math.min(burst, this.bucket.tokens + ((now - this.bucket.last) * rl.perSecond) / 1000);
    this.bucket.last = now;
    if (this.bucket.tokens < 1) return false;
    this.bucket.tokens -= 1;
    return true;
  }

  private takeFault(target: string): Fault | undefined {
    const i = this.faults.findIndex(
      (f) => (f.times ?? 1) > 0 && (f.target === undefined || f.target === '*' || f.target === target),
    );
    if (i < 0) return undefined;
    const f = this.faults[i] as Fault;
    f.times = (f.times ?? 1) - 1;
    if (f.times <= 0) this.faults.splice(i, 1);
    return f;
  }

  private authenticate(header: string | undefined): FakeUser | undefined {
    if (!header) return undefined;
    const [scheme, value = ''] = header.split(' ', 2);
    if (scheme?.toLowerCase() === 'bearer')
      return this.users.find((u) => (u.token && u.token === value) || u.minted?.includes(value));
    if (scheme?.toLowerCase() === 'basic') {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      const name = decoded.slice(0, colon);
      const key = decoded.slice(colon + 1);
      return this.users.find((u) => u.username === name && u.key && u.key === key);
    }
    return undefined;
  }

  private serveStorage(req: IncomingMessage, url: URL, res: ServerResponse, reply: (s: number) => void): boolean {
    const fail = (status: number, code: string, message: string) => {
      reply(status);
      res.writeHead(status, { 'content-type': 'application/xml' });
      res.end(`<?xml version='1.0' encoding='UTF-8'?><Error><Code>${code}</Code><Message>${message}</Message></Error>`);
      return false;
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return fail(405, 'MethodNotAllowed', 'Only GET');
    if (req.headers.authorization) {
      return fail(400, 'InvalidAuthentication', 'Cannot use an Authorization header together with a signed URL.');
    }
    const [, , fileId = ''] = url.pathname.split('/');
    const expires = url.searchParams.get('X-Goog-Expires') ?? '';
    const sig = url.searchParams.get('X-Goog-Signature') ?? '';
    const want = Buffer.from(this.sign(`${fileId}:${expires}`));
    if (sig.length !== want.length || !timingSafeEqual(Buffer.from(sig), want)) {
      return fail(
        403,
        'SignatureDoesNotMatch',
        'The request signature we calculated does not match the signature you provided.',
      );
    }
    if (Number(expires) < Date.now() / 1000) return fail(400, 'ExpiredToken', 'The signed URL has expired.');
    const file = this.findFile(fileId);
    if (!file) return fail(404, 'NoSuchKey', 'The specified key does not exist.');
    const since = Date.parse(req.headers['if-modified-since'] ?? '');
    const headers = { 'last-modified': file.lastModified.toUTCString(), 'content-type': 'application/octet-stream' };
    if (!Number.isNaN(since) && file.lastModified.getTime() <= since) {
      reply(304);
      res.writeHead(304, headers);
      res.end();
      return true;
    }
    reply(200);
    res.writeHead(200, { ...headers, 'content-length': String(file.content.length) });
    res.end(req.method === 'HEAD' ? undefined : file.content);
    return true;
  }

  private findFile(id: string) {
    for (const k of this.kernels)
      for (const v of k.versions) for (const f of v.session.files) if (f.id === id) return f;
    return undefined;
  }

  // ---- RPC methods ---------------------------------------------------------------------------

  private introspect(body: Record<string, unknown>): unknown {
    strictFields(body, new Set(['token']));
    if (typeof body.token !== 'string') throw new HttpFail(400, 'token is required');
    const token = body.token;
    const user = this.users.find((u) => (u.token && u.token === token) || u.minted?.includes(token));
    if (!user) return { active: false };
    return {
      active: true,
      username: user.username,
      userId: 1 + this.users.indexOf(user),
      scope: 'resources.admin:*',
      exp: Math.floor(Date.now() / 1000) + 3600,
      clientId: 'kaggle',
    };
  }

  /** users.AccountService/GenerateAccessToken (kagglesdk GenerateAccessTokenRequest); no Authorization needed. */
  private generateAccessToken(body: Record<string, unknown>): unknown {
    strictFields(
      body,
      new Set(['refreshToken', 'apiVersion', 'expirationDuration', 'authorizationContext', 'authorizationScopes']),
    );
    optEnum(body, 'apiVersion', ['API_VERSION_UNSPECIFIED', 'API_VERSION_V1', 'API_VERSION_V2']);
    const duration = body.expirationDuration;
    if (duration !== undefined && (typeof duration !== 'string' || !/^\d+(\.\d+)?s$/.test(duration)))
      throw new HttpFail(
        400,
        `Invalid value for expirationDuration: ${JSON.stringify(duration)} (a Duration like "43200s")`,
      );
    const user = this.users.find((u) => u.refreshToken && u.refreshToken === body.refreshToken);
    if (!user) throw new HttpFail(401, 'Invalid refresh token');
    const token = `KGAT_minted_${randomBytes(8).toString('hex')}`;
    user.minted = [...(user.minted ?? []), token];
    const seconds = typeof duration === 'string' ? Math.floor(Number.parseFloat(duration)) : 3600;
    return omitDefaults({
      token,
      expiresIn: seconds,
      userName: user.username,
      userId: 1 + this.users.indexOf(user),
    });
  }

  private rpc(method: string, body: Record<string, unknown>, user: FakeUser): unknown {
    switch (method) {
      case 'ListKernels':
        return this.listKernels(body, user);
      case 'GetKernel':
        return this.getKernel(body, user);
      case 'SaveKernel':
        return this.saveKernel(body, user);
      case 'GetKernelSessionStatus':
        return this.getStatus(body, user);
      case 'ListKernelSessionOutput':
        return this.listOutput(body, user);
      case 'ListKernelFiles':
        return this.listFiles(body, user);
      case 'DeleteKernel':
        return this.deleteKernel(body, user);
      case 'CancelKernelSession':
        return this.cancelSession(body, user);
      case 'GetAcceleratorQuotaStatistics':
        return this.quota(body, user);
      default:
        throw new HttpFail(404, `Unknown method kernels.KernelsApiService/${method}`);
    }
  }

  /** kagglesdk ApiListKernelFilesRequest: the files of the kernel's latest version (its code file). */
  private listFiles(body: Record<string, unknown>, user: FakeUser): unknown {
    const k = this.lookup(body, user, new Set(['userName', 'kernelSlug', 'pageSize', 'pageToken']));
    optInt(body, 'pageSize');
    const latest = k.versions.at(-1);
    if (!latest) throw new HttpFail(404, 'Kernel has no saved version');
    const ext = k.kernelType === 'notebook' ? '.ipynb' : k.language === 'r' ? '.R' : '.py';
    return omitDefaults({
      files: [{ name: `${k.slug}${ext}`, size: Buffer.byteLength(latest.text), creationDate: k.lastRunTime }],
      nextPageToken: '',
    });
  }

  /** kagglesdk ApiDeleteKernelRequest: only the owner may delete. */
  private deleteKernel(body: Record<string, unknown>, user: FakeUser): unknown {
    const k = this.lookup(body, user, REF_FIELDS);
    if (body.versionLabel !== undefined)
      throw new HttpFail(400, 'Invalid JSON payload received. Unknown name "versionLabel"');
    if (k.owner !== user.username) throw new HttpFail(403, "Permission 'kernels.delete' was denied");
    this.kernels.splice(this.kernels.indexOf(k), 1);
    return {};
  }

  /**
   * kagglesdk ApiCancelKernelSessionRequest {kernelSessionId}: the owner's session, by Kaggle's own
   * id; unknown is 404. A running (or queued) one is cancelled: GetKernelSessionStatus then says
   * CANCEL_REQUESTED, then CANCEL_ACKNOWLEDGED. A finished one answers ApiCancelKernelSessionResponse's
   * errorMessage.
   */
  private cancelSession(body: Record<string, unknown>, user: FakeUser): unknown {
    strictFields(body, new Set(['kernelSessionId']));
    const id = body.kernelSessionId;
    // int64 travels as a JSON string or number in proto JSON.
    if ((typeof id !== 'number' && typeof id !== 'string') || !/^\d+$/.test(String(id)))
      throw new HttpFail(400, `Invalid value for kernelSessionId: ${JSON.stringify(id)}`);
    const found = this.kernels
      .flatMap((k) => k.versions.map((v) => ({ k, session: v.session })))
      .find(({ session }) => session.id === Number(id));
    if (!found || !this.visible(found.k, user)) throw new HttpFail(404, 'Not found');
    if (found.k.owner !== user.username) throw new HttpFail(403, "Permission 'kernels.cancel' was denied");
    if (found.session.finished || found.session.cancel) return { errorMessage: `Kernel session ${id} is not running` };
    found.session.cancel = 'requested';
    return {};
  }

  /**
   * GetAcceleratorQuotaStatistics (kaggle-cli 2.x `kaggle quota`): quotaRefreshTime (Timestamp),
   * gpuQuota and tpuQuota with timeUsed and totalTimeAllowed (Durations, "<seconds>s").
   */
  private quota(body: Record<string, unknown>, user: FakeUser): unknown {
    strictFields(body, new Set());
    const quota = user.quota ?? {
      gpu: { used: 5 * 3600, total: 30 * 3600 },
      tpu: { used: 0, total: 20 * 3600 },
      refresh: '2026-12-12T00:00:00Z',
    };
    const duration = (q: { used: number; total: number }) => ({
      timeUsed: `${q.used}s`,
      totalTimeAllowed: `${q.total}s`,
    });
    return omitDefaults({
      quotaRefreshTime: quota.refresh ?? '',
      ...(quota.gpu ? { gpuQuota: duration(quota.gpu) } : {}),
      ...(quota.tpu ? { tpuQuota: duration(quota.tpu) } : {}),
    });
  }

  private async streamLogs(
    req: IncomingMessage,
    res: ServerResponse,
    reply: (s: number) => void,
    owner: string,
    slug: string,
  ): Promise<void> {
    if (req.method !== 'GET') throw new HttpFail(405, `${req.method} is not allowed`);
    const user = this.authenticate(req.headers.authorization);
    if (!user) throw new HttpFail(401, 'Unauthenticated: missing or invalid credentials');
    const k = this.lookup(
      { userName: decodeURIComponent(owner), kernelSlug: decodeURIComponent(slug) },
      user,
      REF_FIELDS,
    );
    const session = k.versions.at(-1)?.session;
    if (!session) throw new HttpFail(404, 'Not found');
    reply(200);
    if (session.finished) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(session.log || '[]');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const log = session.script.log ?? [];
    const entries =
      typeof log === 'string' ? log.split(/(?<=\n)/).map((data, i) => ({ stream_name: 'stdout', time: i, data })) : log;
    for (const entry of entries) {
      res.write(`data: ${JSON.stringify(entry)}\n\n`);
      await delay(5);
    }
    res.end('data: END_OF_LOG\n\n');
  }

  private visible(k: FakeKernel, user: FakeUser): boolean {
    return !k.isPrivate || k.owner === user.username;
  }

  /** The kernel named by userName/kernelSlug, with 404 (unknown) or 403 (private, someone else's). */
  private lookup(body: Record<string, unknown>, user: FakeUser, fields: Set<string>): FakeKernel {
    strictFields(body, fields);
    const owner = requireString(body, 'userName');
    const slug = requireString(body, 'kernelSlug');
    // CLI 2.x sent versions as `slug/N`; Kaggle answers that with 403 (versionLabel "vN" is the way).
    if (slug.includes('/')) throw new HttpFail(403, "Permission 'kernels.get' was denied");
    const k = this.kernel(`${owner}/${slug}`);
    if (!k) throw new HttpFail(404, 'Not found');
    if (!this.visible(k, user)) throw new HttpFail(403, "Permission 'kernels.get' was denied");
    if (body.versionLabel !== undefined && typeof body.versionLabel !== 'string')
      throw new HttpFail(400, 'versionLabel must be a string');
    return k;
  }

  private metadata(k: FakeKernel): Record<string, unknown> {
    const latest = k.versions.at(-1);
    return {
      id: k.id,
      ref: `${k.owner}/${k.slug}`,
      title: k.title,
      author: k.owner,
      slug: k.slug,
      lastRunTime: k.lastRunTime,
      language: k.language,
      kernelType: k.kernelType,
      isPrivate: k.isPrivate,
      enableGpu: k.enableGpu,
      enableTpu: k.enableTpu,
      enableInternet: k.enableInternet,
      categoryIds: k.categoryIds,
      datasetDataSources: k.datasetDataSources,
      competitionDataSources: k.competitionDataSources,
      kernelDataSources: k.kernelDataSources,
      modelDataSources: k.modelDataSources,
      totalVotes: k.totalVotes,
      currentVersionNumber: latest?.number,
      dockerImage: k.dockerImage,
      machineShape: k.machineShape,
    };
  }

  private listKernels(body: Record<string, unknown>, user: FakeUser): unknown {
    strictFields(body, LIST_FIELDS);
    const page = optInt(body, 'page') ?? 1;
    const pageSize = optInt(body, 'pageSize') ?? 20;
    if (page < 1) throw new HttpFail(400, 'page must be >= 1');
    if (pageSize < 1 || pageSize > 100) throw new HttpFail(400, 'pageSize must be between 1 and 100');
    const group = optEnum(body, 'group', GROUPS) ?? 'EVERYONE';
    const sortBy = optEnum(body, 'sortBy', SORTS) ?? 'HOTNESS';
    const s = (k: string) => {
      const v = body[k];
      if (v !== undefined && typeof v !== 'string') throw new HttpFail(400, `${k} must be a string`);
      return (v as string | undefined) ?? '';
    };
    const kernelType = s('kernelType') || 'all';
    const language = s('language') || 'all';
    const outputType = s('outputType') || 'all';
    if (!['all', 'script', 'notebook'].includes(kernelType))
      throw new HttpFail(400, `Invalid kernelType "${kernelType}"`);
    if (!['all', 'python', 'r', 'sqlite', 'julia'].includes(language))
      throw new HttpFail(400, `Invalid language "${language}"`);
    if (!['all', 'visualization', 'data'].includes(outputType))
      throw new HttpFail(400, `Invalid outputType "${outputType}"`);
    const search = s('search').toLowerCase();
    if (sortBy === 'RELEVANCE' && !search) throw new HttpFail(400, 'sortBy RELEVANCE requires a search term');
    let list = this.kernels.filter((k) => k.versions.length > 0 && this.visible(k, user));
    if (group === 'PROFILE') list = list.filter((k) => k.owner === user.username);
    const userFilter = s('user');
    if (userFilter) list = list.filter((k) => k.owner === userFilter);
    if (search) list = list.filter((k) => k.title.toLowerCase().includes(search) || k.slug.includes(search));
    const competition = s('competition');
    if (competition) list = list.filter((k) => k.competitionDataSources.includes(competition));
    const dataset = s('dataset');
    if (dataset) list = list.filter((k) => k.datasetDataSources.includes(dataset));
    const parent = s('parentKernel');
    if (parent) list = list.filter((k) => k.parent === parent);
    if (kernelType !== 'all') list = list.filter((k) => k.kernelType === kernelType);
    if (language !== 'all') list = list.filter((k) => k.language === language);
    if (outputType !== 'all') {
      const isImage = (n: string) => /\.(png|jpe?g|svg|gif|html)$/i.test(n);
      list = list.filter((k) => {
        const files = k.versions.at(-1)?.session.files ?? [];
        return outputType === 'visualization'
          ? files.some((f) => isImage(f.fileName))
          : files.some((f) => !isImage(f.fileName));
      });
    }
    const by: Record<string, (a: FakeKernel, b: FakeKernel) => number> = {
      HOTNESS: (a, b) => b.totalVotes - a.totalVotes || b.lastRunTime.localeCompare(a.lastRunTime),
      COMMENT_COUNT: (a, b) => b.commentCount - a.commentCount,
      DATE_CREATED: (a, b) => b.created.getTime() - a.created.getTime(),
      DATE_RUN: (a, b) => b.lastRunTime.localeCompare(a.lastRunTime),
      RELEVANCE: (a, b) =>
        Number(b.title.toLowerCase().startsWith(search)) - Number(a.title.toLowerCase().startsWith(search)),
      SCORE_ASCENDING: (a, b) => a.totalVotes - b.totalVotes,
      SCORE_DESCENDING: (a, b) => b.totalVotes - a.totalVotes,
      VIEW_COUNT: (a, b) => b.viewCount - a.viewCount,
      VOTE_COUNT: (a, b) => b.totalVotes - a.totalVotes,
    };
    list = [...list].sort((a, b) => (by[sortBy] as (a: FakeKernel, b: FakeKernel) => number)(a, b) || a.id - b.id);
    const start = (page - 1) * pageSize;
    const items = list.slice(start, start + pageSize);
    const more = start + pageSize < list.length;
    return omitDefaults({ kernels: items.map((k) => this.metadata(k)), nextPageToken: more ? String(page + 1) : '' });
  }

  private getKernel(body: Record<string, unknown>, user: FakeUser): unknown {
    const k = this.lookup(body, user, REF_FIELDS);
    const version = this.pickVersion(k, body.versionLabel);
    return omitDefaults({
      metadata: this.metadata(k),
      blob: { source: version.text, language: k.language, kernelType: k.kernelType, slug: k.slug },
    });
  }

  private pickVersion(k: FakeKernel, label: unknown) {
    if (k.versions.length === 0) throw new HttpFail(404, 'Kernel has no saved version');
    if (label === undefined || label === '') return k.versions.at(-1) as (typeof k.versions)[number];
    const m = /^v(\d+)$/.exec(String(label));
    const v = m ? k.versions.find((x) => x.number === Number(m[1])) : undefined;
    if (!v) throw new HttpFail(404, `Version ${String(label)} not found`);
    return v;
  }

  private saveKernel(body: Record<string, unknown>, user: FakeUser): unknown {
    for (const [key, value] of Object.entries(body)) {
      const type = SAVE_FIELDS[key];
      if (!type) throw new HttpFail(400, `Invalid JSON payload received. Unknown name "${key}"`);
      const ok =
        type === 'int'
          ? Number.isInteger(value)
          : type === 'bool'
            ? typeof value === 'boolean'
            : type === 'list'
              ? Array.isArray(value) && value.every((x) => typeof x === 'string')
              : typeof value === 'string';
      if (!ok) throw new HttpFail(400, `Invalid value for ${key}: expected ${type}, got ${JSON.stringify(value)}`);
    }
    // kagglesdk: kernelExecutionType is the KernelExecutionType enum; dockerImagePinningType is a string
    // the official CLI limits to original/latest.
    optEnum(body, 'kernelExecutionType', KERNEL_EXECUTION_TYPES);
    if (
      body.dockerImagePinningType !== undefined &&
      !['original', 'latest'].includes(body.dockerImagePinningType as string)
    )
      throw new HttpFail(
        400,
        `Invalid value for dockerImagePinningType: ${JSON.stringify(body.dockerImagePinningType)} (original or latest)`,
      );
    const failure = (error: string) => omitDefaults({ error });
    if (typeof body.text !== 'string') throw new HttpFail(400, 'text is required');
    let k: FakeKernel | undefined;
    if (body.id !== undefined) {
      k = this.kernels.find((x) => x.id === body.id);
      if (!k || k.owner !== user.username) return failure('Kernel not found');
    } else if (typeof body.slug === 'string' && body.slug.includes('/')) {
      const [owner, slug] = body.slug.split('/');
      if (owner !== user.username) return failure('Notebook not found');
      if (!slug || !/^[a-z0-9][a-z0-9-]{4,}$/.test(slug)) return failure(`Invalid slug "${slug}"`);
      k = this.kernel(body.slug);
    } else {
      throw new HttpFail(400, 'One of id or slug is required');
    }
    const language = body.language as string | undefined;
    const kernelType = body.kernelType as string | undefined;
    if (!language || !['python', 'r', 'rmarkdown'].includes(language))
      return failure(`Invalid language "${language ?? ''}"`);
    if (kernelType !== 'script' && kernelType !== 'notebook')
      return failure(`Invalid kernel type "${kernelType ?? ''}"`);
    if (kernelType === 'notebook') {
      try {
        const nb = JSON.parse(body.text) as { cells?: Array<{ source?: unknown; outputs?: unknown[] }> };
        if (!Array.isArray(nb.cells)) return failure('Notebook text is not a valid notebook');
        if (nb.cells.some((c) => Array.isArray(c.source))) return failure('Notebook cell sources must be strings');
      } catch {
        return failure('Notebook text is not valid JSON');
      }
    }
    if (!k) {
      const title = body.newTitle;
      if (typeof title !== 'string' || title.length < 5)
        return failure('A title of at least 5 characters is required to create a kernel');
      const [, slug = ''] = (body.slug as string).split('/');
      k = this.addKernel({ owner: user.username, slug, title, language, kernelType, versions: 0 });
      const pending = this.pendingScripts.get(`${k.owner}/${k.slug}`);
      if (pending) k.nextRuns.push(...pending.splice(0));
    } else if (k.versions.length > 0 && k.kernelType !== kernelType) {
      return failure(`The kernel type cannot be changed from ${k.kernelType} to ${kernelType}`);
    }
    if (typeof body.newTitle === 'string' && body.newTitle) k.title = body.newTitle;
    k.language = language;
    k.isPrivate = body.isPrivate === undefined ? k.isPrivate : Boolean(body.isPrivate);
    k.enableGpu = Boolean(body.enableGpu);
    k.enableTpu = Boolean(body.enableTpu);
    k.enableInternet = body.enableInternet === undefined ? k.enableInternet : Boolean(body.enableInternet);
    const keep = (values: unknown, known: Set<string> | ((v: string) => boolean)) => {
      const list = (values as string[] | undefined) ?? [];
      const ok = (v: string) =>
        typeof known === 'function' ? known(v) : known.has(v.split('/').slice(0, 2).join('/')) || known.has(v);
      return { valid: list.filter(ok), invalid: list.filter((v) => !ok(v)) };
    };
    const ds = keep(body.datasetDataSources, this.datasets);
    const cs = keep(body.competitionDataSources, this.competitions);
    const ks = keep(body.kernelDataSources, (v) => Boolean(this.kernel(v)));
    const ms = keep(body.modelDataSources, this.models);
    const tags = keep(body.categoryIds, this.tags);
    k.datasetDataSources = ds.valid;
    k.competitionDataSources = cs.valid;
    k.kernelDataSources = ks.valid;
    k.modelDataSources = ms.valid;
    k.categoryIds = tags.valid;
    k.dockerImage = (body.dockerImage as string | undefined) ?? k.dockerImage;
    k.machineShape = (body.machineShape as string | undefined) ?? k.machineShape;
    const previous = k.versions.at(-1)?.session;
    const number = (k.versions.at(-1)?.number ?? 0) + 1;
    const script = k.nextRuns.shift() ?? {};
    const session: Session = makeSession(number, script, previous, previous === undefined);
    if (body.kernelExecutionType === 'QUICK_SAVE') session.finished = true;
    k.versions.push({ number, text: body.text, session });
    k.lastRunTime = new Date().toISOString();
    k.pushes.push(body);
    return omitDefaults({
      ref: `/code/${k.owner}/${k.slug}`,
      url: `https://www.kaggle.com/code/${k.owner}/${k.slug}`,
      versionNumber: number,
      kernelId: k.id,
      error: '',
      invalidTags: tags.invalid,
      invalidDatasetSources: ds.invalid,
      invalidCompetitionSources: cs.invalid,
      invalidKernelSources: ks.invalid,
      invalidModelSources: ms.invalid,
    });
  }

  private getStatus(body: Record<string, unknown>, user: FakeUser): unknown {
    const k = this.lookup(body, user, REF_FIELDS);
    const latest = k.versions.at(-1);
    if (!latest) throw new HttpFail(404, 'Not found');
    const answer = pollStatus(latest.session);
    if (answer.notFound) throw new HttpFail(404, 'Not found');
    const out: Record<string, unknown> = { failureMessage: answer.failureMessage };
    // QUEUED is the enum's default value: proto JSON leaves it out entirely.
    if (answer.status !== 'QUEUED') out.status = spellEnum(answer.status, this.enumStyle);
    return omitDefaults(out);
  }

  private listOutput(body: Record<string, unknown>, user: FakeUser): unknown {
    const k = this.lookup(body, user, OUTPUT_FIELDS);
    const pageSize = optInt(body, 'pageSize') ?? 20;
    if (pageSize < 1 || pageSize > 200) throw new HttpFail(400, 'pageSize must be between 1 and 200');
    const size = Math.min(pageSize, this.maxOutputPageSize);
    const token = body.pageToken;
    if (token !== undefined && typeof token !== 'string') throw new HttpFail(400, 'pageToken must be a string');
    let offset = 0;
    if (token) {
      const m = /^off:(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
      if (!m) throw new HttpFail(400, 'Invalid pageToken');
      offset = Number(m[1]);
    }
    const session = body.versionLabel ? this.pickVersion(k, body.versionLabel).session : k.versions.at(-1)?.session;
    const finished = session?.finished ? session : undefined;
    const files = finished?.files ?? [];
    const slice = files.slice(offset, offset + size);
    const next = offset + size < files.length ? this.outputPageToken(offset + size) : '';
    const answer = omitDefaults({
      files: slice.map((f) => ({ url: this.signedUrl(f.id, f.fileName), fileName: f.fileName })),
      log: offset === 0 ? (finished?.log ?? '') : '',
      nextPageToken: next,
    }) as Record<string, unknown>;
    if (this.nullFiles && slice.length === 0) answer.files = null;
    return answer;
  }
}

function strictFields(body: Record<string, unknown>, allowed: Set<string>): void {
  for (const key of Object.keys(body)) {
    if (!allowed.has(key)) throw new HttpFail(400, `Invalid JSON payload received. Unknown name "${key}"`);
  }
}

function requireString(body: Record<string, unknown>, key: string): string {
  const v = body[key];
  if (typeof v !== 'string' || v === '') throw new HttpFail(400, `${key} is required`);
  return v;
}

function optInt(body: Record<string, unknown>, key: string): number | undefined {
  const v = body[key];
  if (v === undefined) return undefined;
  if (!Number.isInteger(v)) throw new HttpFail(400, `${key} must be an integer`);
  return v as number;
}

function optEnum(body: Record<string, unknown>, key: string, names: string[]): string | undefined {
  const v = body[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !names.includes(v))
    throw new HttpFail(400, `Invalid value for enum ${key}: ${JSON.stringify(v)}`);
  return v;
}

function defaultSource(kernelType: string): string {
  if (kernelType === 'script') return 'print("hello from kaggle")\n';
  return JSON.stringify({
    cells: [
      {
        cell_type: 'code',
        execution_count: null,
        id: 'c1',
        metadata: {},
        outputs: [],
        source: 'print("hello from kaggle")',
      },
    ],
    metadata: { kernelspec: { display_name: 'Python 3', language: 'python', name: 'python3' } },
    nbformat: 4,
    nbformat_minor: 5,
  });
}

function parseJson(raw: string): unknown {
  if (raw === '') return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Starts a fake Kaggle on 127.0.0.1 (a free port). */
export function startFakeKaggle(options: FakeKaggleOptions = {}): Promise<FakeKaggle> {
  return new FakeKaggle(options).start();
}

export { logText };
