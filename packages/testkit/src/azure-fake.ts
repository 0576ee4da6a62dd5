/**
 * A strict fake of Azure Resource Manager and the Kudu (SCM) host for Flex Consumption function apps
 * (contract cloud-deploy.md §4, §7.4), over HTTPS on 127.0.0.1 with a self-signed certificate made
 * by `openssl` at start (the Azure SDK's bearer-token policy refuses plain http). Trust it in a kagg
 * process with `NODE_EXTRA_CA_CERTS=<fake.caFile>`, or in-process with `trustAzureFake(fake)`.
 *
 * ARM (one server): resource groups, storage accounts (+ listKeys, blob containers), FC1 plans, sites
 * (functionAppConfig checked; the app settings Flex rejects are rejected with Azure's message),
 * appsettings/list, host/default/listkeys, functions. It checks the bearer token and the api-version
 * each provider's SDK sends, and answers errors in each provider's own envelope.
 * Each site gets two more HTTPS servers: its SCM host (read from hostNameSslStates, Bearer auth,
 * One Deploy `/api/publish` with a remote build polled through `/api/deployments/{id}`) and its app
 * host, which runs the deployed function_app.py under python3 (fixtures/azure-host.py, with the
 * documented azure.functions stub when the real package is missing) and enforces function keys.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { unzipFiles } from '@kagg/plugin-api/kit';

const FIXTURES = path.resolve(import.meta.dirname, '..', 'fixtures');
const HOST_PY = path.join(FIXTURES, 'azure-host.py');

/** api-version each installed SDK sends, by resource provider (contract §4.3; @azure/arm-storage 21 moved to 2026-09-01). */
export const AZURE_API_VERSIONS = {
  resources: '2025-04-01',
  storage: '2026-09-01',
  web: '2025-05-01',
} as const;

/** App settings Flex Consumption refuses (they belong in functionAppConfig). */
const FLEX_REJECTED_SETTINGS = [
  'FUNCTIONS_WORKER_RUNTIME',
  'FUNCTIONS_EXTENSION_VERSION',
  'WEBSITE_RUN_FROM_PACKAGE',
  'SCM_DO_BUILD_DURING_DEPLOYMENT',
  'ENABLE_ORYX_BUILD',
];

export interface AzureFakeOptions {
  /** The only subscription that exists. */
  subscriptionId?: string;
  /** The only bearer token accepted; any other gets 401 ExpiredAuthenticationToken. */
  token?: string;
  /** Site names taken by someone else in Azure (site names are global): PUT answers 409. */
  takenSiteNames?: string[];
  /** listkeys answers 400 "host runtime" this many times after a site is created, then the keys. */
  keyFailures?: number;
  /** Polls of a deployment that report Building before the final status. */
  buildPolls?: number;
  python?: string;
}

export interface AzureWrite {
  method: string;
  path: string;
}

interface FlexConfig {
  runtime?: { name?: string; version?: string };
  scaleAndConcurrency?: { instanceMemoryMB?: number };
  deployment?: {
    storage?: {
      type?: string;
      value?: unknown;
      authentication?: { type?: string; storageAccountConnectionStringName?: string };
    };
  };
}

interface SiteConfig {
  appSettings?: Array<{ name: string; value: string }>;
}

interface SiteState {
  rg: string;
  name: string;
  body: Record<string, unknown>;
  appSettings: Record<string, string>;
  hostKeys: { masterKey: string; functionKeys: { default: string } };
  keyFailuresLeft: number;
  dir?: string;
  functions: Array<{ name: string; route: string; methods: string[]; authLevel: string }>;
  routePrefix: string;
  app: Server;
  scm: Server;
  appHost: string;
  scmHost: string;
}

interface Deployment {
  id: string;
  site: string;
  status: number;
  polls: number;
  log: string[];
}

export interface AzureFake {
  url: string;
  subscriptionId: string;
  token: string;
  /** PEM of the self-signed certificate, and the file holding it (for NODE_EXTRA_CA_CERTS). */
  ca: string;
  caFile: string;
  /** Every PUT/POST/PATCH/DELETE that changed state (ARM and Kudu). */
  writes(): AzureWrite[];
  resourceGroups(): string[];
  sites(): string[];
  storageAccounts(): string[];
  plans(): string[];
  appSettings(site: string): Record<string, string> | undefined;
  /** The next remote build fails with these log lines (status 3), as a pip error would. */
  failNextBuild(log: string[]): void;
  /** Bodies of every failed request answered, for asserting messages. */
  close(): Promise<void>;
}

/** Makes the fake's certificate trusted by this process's TLS clients (the SDK's, fetch's). */
export function trustAzureFake(fake: Pick<AzureFake, 'ca'>): void {
  tls.setDefaultCACertificates([...tls.getCACertificates('default'), fake.ca]);
}

function makeCertificate(dir: string): { key: string; cert: string; certFile: string } {
  const keyFile = path.join(dir, 'key.pem');
  const certFile = path.join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '2',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8'), certFile };
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`HTTP ${status}`);
  }
}

/** ARM's usual envelope; Microsoft.Web answers `{Code, Message}` instead (contract §4.5). */
const armError = (status: number, code: string, message: string) => new HttpError(status, { error: { code, message } });
const webError = (status: number, code: string, message: string) =>
  new HttpError(status, { Code: code, Message: message });

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(text);
}

function runPython(
  python: string,
  args: string[],
  input: string,
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child: ChildProcess = spawn(python, [HOST_PY, ...args], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', PYTHONDONTWRITEBYTECODE: '1', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (c: string) => {
      stdout += c;
    });
    child.stderr?.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin?.end(input);
  });
}

export async function startAzureFake(options: AzureFakeOptions = {}): Promise<AzureFake> {
  const subscriptionId = options.subscriptionId ?? '00000000-0000-4000-8000-000000000001';
  const token = options.token ?? `fake-arm-token-${randomBytes(8).toString('hex')}`;
  const python = options.python ?? process.env.KAGG_PYTHON ?? 'python3';
  const taken = new Set(options.takenSiteNames ?? []);
  const dir = mkdtempSync(path.join(tmpdir(), 'kagg-azure-fake-'));
  const { key, cert, certFile } = makeCertificate(dir);
  const writes: AzureWrite[] = [];
  const groups = new Map<string, Record<string, unknown>>();
  const accounts = new Map<string, { rg: string; body: Record<string, unknown>; containers: Set<string> }>();
  const plans = new Map<string, { rg: string; body: Record<string, unknown> }>();
  const sites = new Map<string, SiteState>();
  const deployments = new Map<string, Deployment>();
  let nextBuildFailure: string[] | undefined;
  const servers: Server[] = [];

  const listen = async (handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>) => {
    const server = createServer({ key, cert }, (req, res) => {
      handler(req, res).catch((error: unknown) => {
        if (error instanceof HttpError) send(res, error.status, error.body);
        else send(res, 500, { error: { code: 'InternalServerError', message: String(error) } });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    return { server, host: `127.0.0.1:${(server.address() as AddressInfo).port}` };
  };

  const bearer = (req: IncomingMessage) => {
    if (req.headers.authorization !== `Bearer ${token}`) {
      throw armError(
        401,
        'ExpiredAuthenticationToken',
        'The access token expiry UTC time is earlier than current UTC time.',
      );
    }
  };

  const siteJson = (s: SiteState) => ({
    ...s.body,
    id: `/subscriptions/${subscriptionId}/resourceGroups/${s.rg}/providers/Microsoft.Web/sites/${s.name}`,
    name: s.name,
    type: 'Microsoft.Web/sites',
    properties: {
      ...(s.body.properties as Record<string, unknown>),
      state: 'Running',
      defaultHostName: s.appHost,
      hostNameSslStates: [
        { name: s.appHost, hostType: 'Standard', sslState: 'Disabled' },
        { name: s.scmHost, hostType: 'Repository', sslState: 'Disabled' },
      ],
      provisioningState: 'Succeeded',
      siteConfig: { appSettings: null },
    },
  });

  const startSite = async (
    rg: string,
    name: string,
    body: Record<string, unknown>,
    settings: Record<string, string>,
  ) => {
    const state = { rg, name, body, appSettings: settings } as SiteState;
    state.hostKeys = {
      masterKey: randomBytes(24).toString('base64url'),
      functionKeys: { default: randomBytes(24).toString('base64url') },
    };
    state.keyFailuresLeft = options.keyFailures ?? 0;
    state.functions = [];
    state.routePrefix = 'api';
    const app = await listen((req, res) => appHandler(state, req, res));
    const scm = await listen((req, res) => scmHandler(state, req, res));
    Object.assign(state, { app: app.server, scm: scm.server, appHost: app.host, scmHost: scm.host });
    return state;
  };

  const stopSite = (s: SiteState) => {
    s.app.close();
    s.scm.close();
    s.app.closeAllConnections();
    s.scm.closeAllConnections();
    if (s.dir) rmSync(s.dir, { recursive: true, force: true });
  };

  const checkSiteBody = (body: Record<string, unknown>, rg: string) => {
    const p = (body.properties ?? {}) as Record<string, unknown>;
    const config = p.functionAppConfig as FlexConfig | undefined;
    if (body.kind !== 'functionapp,linux' || p.reserved !== true)
      throw webError(400, 'BadRequest', 'A Flex Consumption app must be kind functionapp,linux with reserved true.');
    const farm = String(p.serverFarmId ?? '');
    const planName = farm.split('/').pop() ?? '';
    if (!plans.has(planName) || plans.get(planName)?.rg !== rg)
      throw webError(404, 'NotFound', `Server farm ${planName} not found.`);
    if (config?.runtime?.name !== 'python' || !['3.11', '3.12'].includes(config.runtime.version ?? ''))
      throw webError(400, 'BadRequest', 'functionAppConfig.runtime must be python 3.11 or 3.12.');
    const memory = config.scaleAndConcurrency?.instanceMemoryMB;
    if (![512, 2048, 4096].includes(memory ?? 0))
      throw webError(400, 'BadRequest', `Invalid instanceMemoryMB ${memory}: use 512, 2048 or 4096.`);
    const storage = config.deployment?.storage;
    const settings = Object.fromEntries(
      ((p.siteConfig as SiteConfig | undefined)?.appSettings ?? []).map((s) => [s.name, s.value]),
    ) as Record<string, string>;
    for (const rejected of FLEX_REJECTED_SETTINGS) {
      if (rejected in settings)
        throw webError(
          400,
          'BadRequest',
          `App setting ${rejected} is not supported for Flex Consumption apps; use functionAppConfig instead.`,
        );
    }
    if (storage?.type !== 'blobContainer' || typeof storage.value !== 'string')
      throw webError(400, 'BadRequest', 'functionAppConfig.deployment.storage must be a blobContainer.');
    const m = /^https:\/\/([a-z0-9]+)\.blob\.core\.windows\.net\/([a-z0-9-]+)$/.exec(storage.value);
    if (!m || !accounts.get(m[1] as string)?.containers.has(m[2] as string))
      throw webError(400, 'BadRequest', `Deployment storage container ${storage.value} does not exist.`);
    const auth = storage.authentication;
    if (auth?.type !== 'StorageAccountConnectionString' || !settings[auth.storageAccountConnectionStringName ?? ''])
      throw webError(400, 'BadRequest', 'The deployment storage connection string setting is missing.');
    if (!settings.AzureWebJobsStorage) throw webError(400, 'BadRequest', 'AzureWebJobsStorage is required.');
    return settings;
  };

  const arm = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const method = req.method ?? 'GET';
    const raw = await readBody(req);
    bearer(req);
    const m = /^\/subscriptions\/([^/]+)(\/.*)?$/i.exec(url.pathname);
    if (!m) throw armError(404, 'NotFound', `no route ${url.pathname}`);
    if (m[1] !== subscriptionId)
      throw armError(404, 'SubscriptionNotFound', `The subscription '${m[1]}' could not be found.`);
    const rest = m[2] ?? '';
    const body = raw.length > 0 ? (JSON.parse(raw.toString('utf8')) as Record<string, unknown>) : {};
    const version = url.searchParams.get('api-version');
    const provider = /\/providers\/Microsoft\.Storage\//i.test(rest)
      ? 'storage'
      : /\/providers\/Microsoft\.Web\//i.test(rest)
        ? 'web'
        : 'resources';
    if (version !== AZURE_API_VERSIONS[provider])
      throw armError(400, 'InvalidApiVersionParameter', `The api-version '${version}' is invalid here.`);
    const write = () => writes.push({ method, path: rest });
    let r: RegExpExecArray | null;
    r = /^\/resourcegroups\/([^/]+)$/i.exec(rest);
    if (r) {
      const rg = r[1] as string;
      const group = () => ({
        id: `/subscriptions/${subscriptionId}/resourceGroups/${rg}`,
        name: rg,
        ...groups.get(rg),
      });
      if (method === 'HEAD') return send(res, groups.has(rg) ? 204 : 404);
      if (method === 'GET') {
        if (!groups.has(rg)) throw armError(404, 'ResourceGroupNotFound', `Resource group '${rg}' could not be found.`);
        return send(res, 200, group());
      }
      if (method === 'PUT') {
        if (typeof body.location !== 'string') throw armError(400, 'LocationRequired', 'The location is required.');
        const existed = groups.has(rg);
        groups.set(rg, { location: body.location, tags: body.tags, properties: { provisioningState: 'Succeeded' } });
        write();
        return send(res, existed ? 200 : 201, group());
      }
      if (method === 'DELETE') {
        if (!groups.has(rg)) return send(res, 204);
        for (const [n, s] of sites) {
          if (s.rg !== rg) continue;
          stopSite(s);
          sites.delete(n);
        }
        for (const [n, p] of plans) if (p.rg === rg) plans.delete(n);
        for (const [n, a] of accounts) if (a.rg === rg) accounts.delete(n);
        groups.delete(rg);
        write();
        return send(res, 200);
      }
    }
    const g = /^\/resourceGroups\/([^/]+)\/providers\/(.*)$/i.exec(rest);
    if (!g) throw armError(404, 'NotFound', `no route ${rest}`);
    const rg = g[1] as string;
    const tail = g[2] as string;
    if (!groups.has(rg)) throw armError(404, 'ResourceGroupNotFound', `Resource group '${rg}' could not be found.`);
    r = /^Microsoft\.Storage\/storageAccounts\/([^/]+)(\/.*)?$/i.exec(tail);
    if (r) {
      const name = r[1] as string;
      const sub = r[2] ?? '';
      const account = accounts.get(name);
      const accountJson = () => ({
        id: `/subscriptions/${subscriptionId}/resourceGroups/${rg}/providers/Microsoft.Storage/storageAccounts/${name}`,
        name,
        ...account?.body,
        properties: { provisioningState: 'Succeeded' },
      });
      if (sub === '' && method === 'PUT') {
        if (!/^[a-z0-9]{3,24}$/.test(name))
          throw armError(400, 'AccountNameInvalid', `${name} is not a valid storage account name.`);
        const kind = body.kind;
        const sku = (body.sku as { name?: string } | undefined)?.name;
        if (kind !== 'StorageV2' || !sku)
          throw armError(400, 'InvalidRequest', 'kind StorageV2 and a sku are required.');
        if (account && account.rg !== rg)
          throw armError(409, 'StorageAccountAlreadyTaken', `The storage account named ${name} is already taken.`);
        accounts.set(name, {
          rg,
          body: { location: body.location, kind, sku: body.sku, tags: body.tags },
          containers: account?.containers ?? new Set(),
        });
        write();
        return send(res, 200, accountJson());
      }
      if (!account || account.rg !== rg)
        throw armError(
          404,
          'ResourceNotFound',
          `The Resource 'Microsoft.Storage/storageAccounts/${name}' was not found.`,
        );
      if (sub === '' && method === 'GET') return send(res, 200, accountJson());
      if (sub === '' && method === 'DELETE') {
        accounts.delete(name);
        write();
        return send(res, 200);
      }
      if (sub === '/listKeys' && method === 'POST')
        return send(res, 200, {
          keys: [{ keyName: 'key1', value: Buffer.from(`${name}-key1`).toString('base64'), permissions: 'FULL' }],
        });
      const c = /^\/blobServices\/default\/containers\/([^/]+)$/.exec(sub);
      if (c) {
        const container = c[1] as string;
        const cjson = { id: `${accountJson().id}${sub}`, name: container, properties: {} };
        if (method === 'PUT') {
          account.containers.add(container);
          write();
          return send(res, 201, cjson);
        }
        if (method === 'GET') {
          if (!account.containers.has(container))
            throw armError(404, 'ContainerNotFound', 'The specified container does not exist.');
          return send(res, 200, cjson);
        }
      }
    }
    r = /^Microsoft\.Web\/serverfarms\/([^/]+)$/i.exec(tail);
    if (r) {
      const name = r[1] as string;
      const plan = plans.get(name);
      const planJson = () => ({
        id: `/subscriptions/${subscriptionId}/resourceGroups/${rg}/providers/Microsoft.Web/serverfarms/${name}`,
        name,
        ...plans.get(name)?.body,
      });
      if (method === 'PUT') {
        const sku = body.sku as { name?: string; tier?: string } | undefined;
        const p = body.properties as { reserved?: boolean } | undefined;
        if (sku?.name !== 'FC1' || sku.tier !== 'FlexConsumption' || p?.reserved !== true)
          throw webError(400, 'BadRequest', 'The plan must be sku FC1/FlexConsumption with reserved true.');
        plans.set(name, {
          rg,
          body: { location: body.location, kind: body.kind, sku, properties: p, tags: body.tags },
        });
        write();
        return send(res, 200, planJson());
      }
      if (!plan || plan.rg !== rg) {
        if (method === 'DELETE') return send(res, 204);
        throw webError(404, 'NotFound', `Server farm '${name}' not found.`);
      }
      if (method === 'GET') return send(res, 200, planJson());
      if (method === 'DELETE') {
        if (
          [...sites.values()].some((s) =>
            String((s.body.properties as { serverFarmId?: string })?.serverFarmId).endsWith(`/${name}`),
          )
        )
          throw webError(
            409,
            'Conflict',
            `Server farm '${name}' cannot be deleted because it has web app(s) assigned to it.`,
          );
        plans.delete(name);
        write();
        return send(res, 200);
      }
    }
    r = /^Microsoft\.Web\/sites\/([^/]+)(\/.*)?$/i.exec(tail);
    if (r) {
      const name = r[1] as string;
      const sub = r[2] ?? '';
      const site = sites.get(name);
      if (sub === '' && method === 'PUT') {
        if (taken.has(name) || (site && site.rg !== rg))
          throw webError(409, 'Conflict', `Website with given name ${name} already exists.`);
        const settings = checkSiteBody(body, rg);
        const stored = {
          location: body.location,
          kind: body.kind,
          tags: body.tags,
          properties: { ...(body.properties as object), siteConfig: undefined },
        };
        if (site) {
          site.body = stored;
          site.appSettings = settings;
        } else sites.set(name, await startSite(rg, name, stored, settings));
        write();
        return send(res, 200, siteJson(sites.get(name) as SiteState));
      }
      if (!site || site.rg !== rg) {
        if (method === 'DELETE') return send(res, 204);
        throw webError(404, 'NotFound', `The Web App '${name}' under resource group '${rg}' was not found.`);
      }
      if (sub === '' && method === 'GET') return send(res, 200, siteJson(site));
      if (sub === '' && method === 'DELETE') {
        stopSite(site);
        sites.delete(name);
        write();
        return send(res, 200);
      }
      if (sub === '/config/appsettings/list' && method === 'POST')
        return send(res, 200, {
          id: `${siteJson(site).id}/config/appsettings`,
          name: 'appsettings',
          properties: site.appSettings,
        });
      if (sub === '/host/default/listkeys' && method === 'POST') {
        if (site.keyFailuresLeft > 0) {
          site.keyFailuresLeft--;
          throw webError(400, 'BadRequest', 'Encountered an error (InternalServerError) from host runtime.');
        }
        return send(res, 200, { ...site.hostKeys, systemKeys: {} });
      }
      if (sub === '/functions' && method === 'GET') {
        return send(res, 200, {
          value: site.functions.map((f) => ({
            id: `${siteJson(site).id}/functions/${f.name}`,
            name: `${name}/${f.name}`,
            type: 'Microsoft.Web/sites/functions',
            properties: {
              name: f.name,
              language: 'python',
              isDisabled: false,
              invoke_url_template: `https://${site.appHost}/${site.routePrefix ? `${site.routePrefix}/` : ''}${f.route}`,
            },
          })),
        });
      }
    }
    throw armError(404, 'NotFound', `no route ${method} ${rest}`);
  };

  const scmHandler = async (site: SiteState, req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const raw = await readBody(req);
    bearer(req);
    if (url.pathname === '/api/publish' && req.method === 'POST') {
      if (req.headers['content-type'] !== 'application/zip') throw new HttpError(415, 'expected application/zip');
      writes.push({ method: 'POST', path: `scm:${site.name}/api/publish` });
      const id = randomUUID();
      const deployment: Deployment = { id, site: site.name, status: 0, polls: 0, log: ['Received the package.'] };
      deployments.set(id, deployment);
      let files: ReturnType<typeof unzipFiles>;
      try {
        files = unzipFiles(raw);
      } catch {
        throw new HttpError(400, 'the body is not a zip');
      }
      const names = new Set(files.map((f) => f.path));
      const fail = (lines: string[]) => {
        deployment.status = 3;
        deployment.log.push(...lines);
      };
      const requirements = files.find((f) => f.path === 'requirements.txt');
      if (url.searchParams.get('RemoteBuild') !== 'true')
        fail(['Remote build was not requested: no packages were installed.']);
      else if (!names.has('function_app.py') || !names.has('host.json'))
        fail(['function_app.py and host.json are required.']);
      else if (names.has('local.settings.json')) fail(['local.settings.json must not be deployed.']);
      else if (!requirements || !/^azure-functions\b/m.test(Buffer.from(requirements.data).toString('utf8')))
        fail(['requirements.txt must list azure-functions.']);
      else if (nextBuildFailure) {
        fail(nextBuildFailure);
        nextBuildFailure = undefined;
      }
      if (deployment.status !== 3) {
        deployment.log.push('Running pip install -r requirements.txt (remote build).');
        const target = mkdtempSync(path.join(dir, `${site.name}-`));
        for (const f of files) {
          const file = path.join(target, f.path);
          mkdirSync(path.dirname(file), { recursive: true });
          writeFileSync(file, f.data);
        }
        const index = await runPython(python, [target, 'index'], '', site.appSettings);
        if (index.code !== 0) {
          fail(['Indexing function_app.py failed:', index.stderr]);
          rmSync(target, { recursive: true, force: true });
        } else {
          if (site.dir) rmSync(site.dir, { recursive: true, force: true });
          site.dir = target;
          site.functions = JSON.parse(index.stdout);
          const host = JSON.parse(readFileSync(path.join(target, 'host.json'), 'utf8'));
          site.routePrefix = host?.extensions?.http?.routePrefix ?? 'api';
          deployment.status = 4;
          deployment.log.push('Deployment successful.');
        }
      }
      return send(res, 202, JSON.stringify(id));
    }
    const d = /^\/api\/deployments\/([^/]+)(\/log)?$/.exec(url.pathname);
    if (d && req.method === 'GET') {
      const deployment = deployments.get(d[1] as string);
      if (!deployment || deployment.site !== site.name) throw new HttpError(404, { Message: 'deployment not found' });
      if (d[2])
        return send(
          res,
          200,
          deployment.log.map((message) => ({ message, log_time: new Date().toISOString() })),
        );
      const building = deployment.polls++ < (options.buildPolls ?? 1);
      const status = building ? 1 : deployment.status;
      return send(res, 200, {
        id: deployment.id,
        status,
        status_text: building ? 'Building' : status === 4 ? 'Success' : 'Failed',
        complete: !building,
        log_url: `https://${site.scmHost}/api/deployments/${deployment.id}/log`,
      });
    }
    throw new HttpError(404, { Message: `no route ${req.method} ${url.pathname}` });
  };

  const appHandler = async (site: SiteState, req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', `https://${site.appHost}`);
    const body = await readBody(req);
    const prefix = site.routePrefix ? `/${site.routePrefix}/` : '/';
    if (!site.dir || !url.pathname.startsWith(prefix)) return send(res, 404, '');
    const route = url.pathname.slice(prefix.length);
    const fn = site.functions[0];
    if (fn?.authLevel !== 'anonymous') {
      const given = url.searchParams.get('code') ?? req.headers['x-functions-key'];
      if (given !== site.hostKeys.functionKeys.default && given !== site.hostKeys.masterKey) return send(res, 401, '');
    }
    const params = Object.fromEntries([...url.searchParams].filter(([k]) => k !== 'code'));
    const headers = Object.fromEntries(
      Object.entries(req.headers)
        .filter(([k]) => k !== 'x-functions-key')
        .map(([k, v]) => [k, String(v)]),
    );
    const result = await runPython(
      python,
      [site.dir, 'invoke'],
      JSON.stringify({ method: req.method, url: url.href, route, headers, params, body: body.toString('base64') }),
      site.appSettings,
    );
    if (result.code !== 0) return send(res, 500, { error: 'the function host failed', log: result.stderr });
    const answer = JSON.parse(result.stdout) as { status: number; headers: Record<string, string>; body: string };
    res.writeHead(answer.status, answer.headers);
    res.end(Buffer.from(answer.body, 'base64'));
  };

  const main = await listen(arm);
  return {
    url: `https://${main.host}`,
    subscriptionId,
    token,
    ca: cert,
    caFile: certFile,
    writes: () => [...writes],
    resourceGroups: () => [...groups.keys()],
    sites: () => [...sites.keys()],
    storageAccounts: () => [...accounts.keys()],
    plans: () => [...plans.keys()],
    appSettings: (name) => sites.get(name)?.appSettings,
    failNextBuild: (log) => {
      nextBuildFailure = log;
    },
    close: async () => {
      for (const s of sites.values()) stopSite(s);
      await Promise.all(
        servers.map((server) => {
          server.closeAllConnections();
          return new Promise<void>((resolve) => server.close(() => resolve()));
        }),
      );
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
