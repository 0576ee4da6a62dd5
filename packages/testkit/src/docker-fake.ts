/**
 * A strict fake Docker Engine API on 127.0.0.1 (TCP), for `DOCKER_HOST=tcp://127.0.0.1:N`. It
 * follows the Engine API reference's shapes (v1.43; paths with or without a `/vX.Y` prefix, the
 * `Api-Version` header the docker CLI negotiates with):
 *
 * - `GET|HEAD /_ping`, `GET /version`;
 * - `POST /build?t=TAG&labels=JSON`: the body is a tar (ustar headers and checksums verified); a
 *   missing Dockerfile is a 500, a Dockerfile without FROM or an exec-form CMD is an error in the
 *   progress stream (status 200, as the real daemon reports build failures); records the image;
 * - `GET /images/{name}/json` (404 when absent);
 * - `POST /containers/create?name=N` (the image must exist; every `HostConfig.PortBindings` entry on
 *   127.0.0.1: the fake never listens elsewhere), `POST /containers/{id}/start` (runs the image's CMD
 *   under the real python3 in the unpacked build context, with the image's and the container's `Env`,
 *   `PORT` published on its host port), `POST /containers/{id}/stop?t=S`, `DELETE /containers/{id}?force=1`,
 *   `GET /containers/{id}/json`, `GET /containers/{id}/logs` (multiplexed frames), and
 *   `GET /containers/json?all=1&filters={"label":["k=v"]}`.
 *
 * Errors are JSON `{"message": ...}` with the real status codes (400 bad parameter, 404 no such
 * object, 409 conflict, 500 server error). `calls` lists every request (`POST /build`), so tests
 * can count what a deploy costs.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import os from 'node:os';
import path from 'node:path';

export const FAKE_API_VERSION = '1.43';

export interface FakeImage {
  id: string;
  tags: string[];
  dir: string;
  cmd: string[];
  env: string[];
  labels: Record<string, string>;
}

export interface FakeContainer {
  id: string;
  name: string;
  image: FakeImage;
  imageRef: string;
  env: string[];
  labels: Record<string, string>;
  bindings: Record<string, { HostIp: string; HostPort: string }[]>;
  state: 'created' | 'running' | 'exited';
  exitCode: number;
  process?: ChildProcess;
  log: { stream: 1 | 2; data: Buffer }[];
}

export interface DockerFake {
  /** `tcp://127.0.0.1:N`, for DOCKER_HOST. */
  host: string;
  url: string;
  calls: string[];
  images: Map<string, FakeImage>;
  containers: Map<string, FakeContainer>;
  /** The next build fails with this message in its progress stream (once). */
  failNextBuild(message: string): void;
  stop(): Promise<void>;
}

class EngineError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Reads a tar archive strictly: ustar magic, header checksums, sizes within the archive. */
export function readTar(buf: Buffer): Map<string, { data: Buffer; mode: number; dir: boolean }> {
  const files = new Map<string, { data: Buffer; mode: number; dir: boolean }>();
  if (buf.length === 0 || buf.length % 512 !== 0) throw new EngineError(400, 'archive/tar: invalid tar header');
  let offset = 0;
  while (offset + 512 <= buf.length) {
    const header = buf.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) return files;
    const field = (start: number, length: number) =>
      header
        .subarray(start, start + length)
        .toString('utf8')
        .replace(/\0.*$/s, '');
    const octal = (start: number, length: number) => Number.parseInt(field(start, length).trim() || '0', 8);
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : header[i]!;
    if (!field(257, 6).startsWith('ustar') || octal(148, 8) !== sum) {
      throw new EngineError(400, 'archive/tar: invalid tar header');
    }
    const prefix = field(345, 155);
    const name = (prefix ? `${prefix}/` : '') + field(0, 100);
    const size = octal(124, 12);
    const type = field(156, 1) || '0';
    const start = offset + 512;
    if (start + size > buf.length) throw new EngineError(400, 'archive/tar: unexpected EOF');
    if (name.split('/').includes('..') || name.startsWith('/')) {
      throw new EngineError(400, `archive/tar: insecure file path ${name}`);
    }
    const clean = name.replace(/\/$/, '');
    if (type === '5') files.set(clean, { data: Buffer.alloc(0), mode: octal(100, 8), dir: true });
    else if (type === '0')
      files.set(clean, { data: Buffer.from(buf.subarray(start, start + size)), mode: octal(100, 8), dir: false });
    else
      throw new EngineError(
        400,
        `the fake engine accepts regular files and folders only, not tar type ${type} (${name})`,
      );
    offset = start + Math.ceil(size / 512) * 512;
  }
  throw new EngineError(400, 'archive/tar: unexpected EOF');
}

/** The Dockerfile's instructions the fake needs: FROM, ENV and an exec-form CMD. */
function parseDockerfile(text: string): { from: string; env: string[]; cmd: string[] } {
  const lines = text.replace(/\\\r?\n/g, ' ').split(/\r?\n/);
  let from = '';
  let cmd: string[] | undefined;
  const env: string[] = [];
  for (const raw of lines) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const [instruction = '', rest = ''] = [line.split(/\s+/, 1)[0]?.toUpperCase(), line.replace(/^\S+\s*/, '')];
    if (instruction === 'FROM') from = rest;
    else if (!from && instruction !== 'ARG')
      throw new Error(`${instruction} before FROM: no build stage in current context`);
    if (instruction === 'ENV') {
      for (const m of rest.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|\S*)/g)) {
        env.push(`${m[1]}=${m[2]!.startsWith('"') ? (JSON.parse(m[2]!) as string) : m[2]}`);
      }
    }
    if (instruction === 'CMD') {
      try {
        cmd = JSON.parse(rest) as string[];
      } catch {
        throw new Error('the fake engine runs only an exec-form CMD (a JSON array)');
      }
    }
  }
  if (!from) throw new Error('no build stage in current context (no FROM)');
  if (!cmd || !Array.isArray(cmd) || cmd.length === 0) throw new Error('no CMD: the fake engine cannot run the image');
  return { from, env, cmd };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function labelFilter(query: URLSearchParams): string[] {
  const raw = query.get('filters');
  if (!raw) return [];
  let filters: Record<string, unknown>;
  try {
    filters = JSON.parse(raw) as Record<string, unknown>;
  } catch {
    throw new EngineError(400, `invalid filter: ${raw}`);
  }
  for (const key of Object.keys(filters)) {
    if (key !== 'label') throw new EngineError(400, `the fake engine filters by label only, not "${key}"`);
  }
  const label = filters.label;
  if (label === undefined) return [];
  return Array.isArray(label) ? label.map(String) : Object.keys(label as Record<string, unknown>);
}

function matchesLabels(labels: Record<string, string>, wanted: string[]): boolean {
  return wanted.every((w) => {
    const eq = w.indexOf('=');
    return eq < 0 ? w in labels : labels[w.slice(0, eq)] === w.slice(eq + 1);
  });
}

export async function startDockerFake(): Promise<DockerFake> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'kagg-docker-fake-'));
  const images = new Map<string, FakeImage>();
  const containers = new Map<string, FakeContainer>();
  const calls: string[] = [];
  let buildFailure: string | undefined;

  const imageOf = (ref: string) => {
    const withTag = ref.includes(':') || ref.startsWith('sha256:') ? ref : `${ref}:latest`;
    return [...images.values()].find((i) => i.id === ref || i.tags.includes(withTag));
  };
  const containerOf = (ref: string) => {
    const found =
      containers.get(ref) ??
      [...containers.values()].find(
        (c) => c.name === ref.replace(/^\//, '') || (ref.length >= 4 && c.id.startsWith(ref)),
      );
    if (!found) throw new EngineError(404, `No such container: ${ref}`);
    return found;
  };
  const exited = (c: FakeContainer) =>
    new Promise<void>((resolve) => {
      if (!c.process || c.process.exitCode !== null || c.process.signalCode !== null) resolve();
      else c.process.once('exit', () => resolve());
    });
  const kill = async (c: FakeContainer, seconds: number) => {
    if (c.state !== 'running' || !c.process) return;
    c.process.kill('SIGTERM');
    const timer = setTimeout(() => c.process?.kill('SIGKILL'), seconds * 1000);
    await exited(c);
    clearTimeout(timer);
  };
  const hostPortsInUse = () =>
    new Set(
      [...containers.values()]
        .filter((c) => c.state === 'running')
        .flatMap((c) => Object.values(c.bindings).flatMap((b) => b.map((x) => x.HostPort))),
    );

  const routes = async (
    method: string,
    route: string,
    query: URLSearchParams,
    req: IncomingMessage,
    res: ServerResponse,
  ) => {
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (route === '/_ping' && (method === 'GET' || method === 'HEAD')) {
      res.writeHead(200, {
        'content-type': 'text/plain; charset=utf-8',
        'cache-control': 'no-cache, no-store, must-revalidate',
      });
      return void res.end(method === 'HEAD' ? undefined : 'OK');
    }
    if (route === '/version' && method === 'GET') {
      return json(200, {
        Platform: { Name: 'kagg fake Docker Engine' },
        Components: [{ Name: 'Engine', Version: '24.0.0-kagg-fake', Details: { ApiVersion: FAKE_API_VERSION } }],
        Version: '24.0.0-kagg-fake',
        ApiVersion: FAKE_API_VERSION,
        MinAPIVersion: '1.12',
        GitCommit: 'fake',
        GoVersion: 'go1.21',
        Os: 'linux',
        Arch: 'amd64',
        KernelVersion: os.release(),
        BuildTime: '2026-01-01T00:00:00.000000000+00:00',
      });
    }
    if (route === '/build' && method === 'POST') {
      const tag = query.get('t') ?? '';
      if (tag && !/^[a-z0-9][a-z0-9._/-]*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?$/.test(tag)) {
        throw new EngineError(400, `invalid reference format: repository name (${tag}) must be lowercase`);
      }
      let labels: Record<string, string> = {};
      if (query.get('labels')) {
        try {
          labels = JSON.parse(query.get('labels')!) as Record<string, string>;
        } catch {
          throw new EngineError(400, 'labels: invalid JSON');
        }
      }
      const body = await readBody(req);
      const files = readTar(body);
      const dockerfileName = query.get('dockerfile') ?? 'Dockerfile';
      const dockerfile = files.get(dockerfileName);
      if (!dockerfile || dockerfile.dir) {
        throw new EngineError(500, `Cannot locate specified Dockerfile: ${dockerfileName}`);
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      const line = (o: unknown) => res.write(`${JSON.stringify(o)}\r\n`);
      let parsed: ReturnType<typeof parseDockerfile>;
      try {
        parsed = parseDockerfile(dockerfile.data.toString('utf8'));
        if (buildFailure) throw new Error(buildFailure);
      } catch (error) {
        buildFailure = undefined;
        const message = (error as Error).message;
        line({ stream: 'Step 1/1 : (kagg fake engine)\n' });
        line({ errorDetail: { message }, error: message });
        return void res.end();
      }
      const id = `sha256:${createHash('sha256').update(body).digest('hex')}`;
      const dir = path.join(root, 'images', id.slice(7, 19));
      for (const [name, file] of files) {
        const to = path.join(dir, name);
        if (file.dir) mkdirSync(to, { recursive: true });
        else {
          mkdirSync(path.dirname(to), { recursive: true });
          writeFileSync(to, file.data, { mode: file.mode });
        }
      }
      line({ stream: `Step 1/2 : FROM ${parsed.from}\n` });
      line({ stream: `Step 2/2 : CMD ${JSON.stringify(parsed.cmd)}\n` });
      line({ aux: { ID: id } });
      line({ stream: `Successfully built ${id.slice(7, 19)}\n` });
      const existing = images.get(id);
      const image = existing ?? { id, tags: [], dir, cmd: parsed.cmd, env: parsed.env, labels };
      if (tag) {
        const full = tag.includes(':') ? tag : `${tag}:latest`;
        for (const other of images.values()) other.tags = other.tags.filter((t) => t !== full);
        image.tags.push(full);
        line({ stream: `Successfully tagged ${full}\n` });
      }
      images.set(id, image);
      return void res.end();
    }
    let m = /^\/images\/(.+)\/json$/.exec(route);
    if (m && method === 'GET') {
      const name = decodeURIComponent(m[1]!);
      const image = imageOf(name);
      if (!image) throw new EngineError(404, `No such image: ${name}`);
      return json(200, {
        Id: image.id,
        RepoTags: image.tags,
        Config: { Cmd: image.cmd, Env: image.env, Labels: image.labels, WorkingDir: '/app' },
        Os: 'linux',
        Architecture: 'amd64',
      });
    }
    if (route === '/containers/json' && method === 'GET') {
      const wanted = labelFilter(query);
      const all = query.get('all') === '1' || query.get('all') === 'true';
      return json(
        200,
        [...containers.values()]
          .filter((c) => (all || c.state === 'running') && matchesLabels(c.labels, wanted))
          .map((c) => ({
            Id: c.id,
            Names: [`/${c.name}`],
            Image: c.imageRef,
            ImageID: c.image.id,
            Command: c.image.cmd.join(' '),
            Created: 0,
            Labels: c.labels,
            State: c.state,
            Status: c.state === 'running' ? 'Up' : c.state === 'exited' ? `Exited (${c.exitCode})` : 'Created',
            Ports: Object.entries(c.bindings).flatMap(([key, list]) =>
              list.map((b) => ({
                IP: b.HostIp,
                PrivatePort: Number(key.split('/')[0]),
                PublicPort: Number(b.HostPort),
                Type: 'tcp',
              })),
            ),
          })),
      );
    }
    if (route === '/containers/create' && method === 'POST') {
      const name = query.get('name') ?? `kagg_fake_${randomBytes(4).toString('hex')}`;
      if (!/^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/.test(name)) throw new EngineError(400, `Invalid container name (${name})`);
      if ([...containers.values()].some((c) => c.name === name)) {
        throw new EngineError(409, `Conflict. The container name "/${name}" is already in use.`);
      }
      if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) {
        throw new EngineError(400, "Content-Type specified (undefined) must be 'application/json'");
      }
      let spec: {
        Image?: unknown;
        Env?: unknown;
        Labels?: unknown;
        HostConfig?: { PortBindings?: Record<string, { HostIp?: string; HostPort?: string }[]> };
      };
      try {
        spec = JSON.parse((await readBody(req)).toString('utf8')) as typeof spec;
      } catch {
        throw new EngineError(400, 'invalid JSON in the request body');
      }
      if (typeof spec.Image !== 'string' || spec.Image === '') throw new EngineError(400, 'Config.Image is required');
      const image = imageOf(spec.Image);
      if (!image) throw new EngineError(404, `No such image: ${spec.Image}`);
      const env = spec.Env ?? [];
      if (!Array.isArray(env) || env.some((e) => typeof e !== 'string' || !/^[^=]+=/.test(e))) {
        throw new EngineError(400, 'Env must be an array of "KEY=value" strings');
      }
      const bindings: FakeContainer['bindings'] = {};
      for (const [key, list] of Object.entries(spec.HostConfig?.PortBindings ?? {})) {
        if (!/^\d+\/tcp$/.test(key)) throw new EngineError(400, `invalid port specification: "${key}"`);
        for (const b of list ?? []) {
          if (b.HostIp !== '127.0.0.1') {
            throw new EngineError(400, `the fake engine publishes on 127.0.0.1 only, not "${b.HostIp ?? '0.0.0.0'}"`);
          }
          if (!/^\d+$/.test(b.HostPort ?? '') || Number(b.HostPort) < 1 || Number(b.HostPort) > 65535) {
            throw new EngineError(400, `invalid port specification: "${b.HostPort}"`);
          }
        }
        bindings[key] = (list ?? []).map((b) => ({ HostIp: b.HostIp!, HostPort: b.HostPort! }));
      }
      const id = randomBytes(32).toString('hex');
      containers.set(id, {
        id,
        name: name.replace(/^\//, ''),
        image,
        imageRef: spec.Image,
        env: env as string[],
        labels: (spec.Labels as Record<string, string> | undefined) ?? {},
        bindings,
        state: 'created',
        exitCode: 0,
        log: [],
      });
      return json(201, { Id: id, Warnings: [] });
    }
    m = /^\/containers\/([^/]+)(\/[a-z]+)?$/.exec(route);
    if (!m) throw new EngineError(404, 'page not found');
    const c = containerOf(decodeURIComponent(m[1]!));
    const action = `${method} ${m[2] ?? ''}`;
    if (action === 'POST /start') {
      if (c.state === 'running') return void res.writeHead(304).end();
      const env: Record<string, string> = {};
      for (const e of [...c.image.env, ...c.env]) env[e.slice(0, e.indexOf('='))] = e.slice(e.indexOf('=') + 1);
      const published = c.bindings[`${env.PORT ?? ''}/tcp`]?.[0];
      const inUse = hostPortsInUse();
      for (const list of Object.values(c.bindings)) {
        for (const b of list) {
          if (inUse.has(b.HostPort)) {
            throw new EngineError(
              500,
              `driver failed programming external connectivity on endpoint ${c.name}: Bind for 127.0.0.1:${b.HostPort} failed: port is already allocated`,
            );
          }
        }
      }
      const [cmd, ...args] = c.image.cmd;
      const child = spawn(cmd!, args, {
        cwd: c.image.dir,
        // The container's port, as the host sees it: the process listens where the binding publishes.
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env, HOST: '127.0.0.1', PORT: published?.HostPort ?? '0' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      c.process = child;
      c.state = 'running';
      c.log = [];
      child.stdout!.on('data', (d: Buffer) => c.log.push({ stream: 1, data: d }));
      child.stderr!.on('data', (d: Buffer) => c.log.push({ stream: 2, data: d }));
      child.on('error', () => {});
      child.on('exit', (code, signal) => {
        c.state = 'exited';
        c.exitCode = code ?? (signal === 'SIGKILL' ? 137 : 143);
      });
      return void res.writeHead(204).end();
    }
    if (action === 'POST /stop') {
      if (c.state !== 'running') return void res.writeHead(304).end();
      await kill(c, Number(query.get('t') ?? 10));
      return void res.writeHead(204).end();
    }
    if (action === 'DELETE ') {
      const force = query.get('force') === '1' || query.get('force') === 'true';
      if (c.state === 'running' && !force) {
        throw new EngineError(
          409,
          `cannot remove container "/${c.name}": container is running: stop the container before removing or force remove`,
        );
      }
      await kill(c, 0);
      containers.delete(c.id);
      return void res.writeHead(204).end();
    }
    if (action === 'GET /json') {
      return json(200, {
        Id: c.id,
        Name: `/${c.name}`,
        Image: c.image.id,
        Config: { Image: c.imageRef, Env: c.env, Labels: c.labels, Cmd: c.image.cmd },
        State: {
          Status: c.state,
          Running: c.state === 'running',
          ExitCode: c.exitCode,
          Pid: c.process?.pid ?? 0,
        },
        HostConfig: { PortBindings: c.bindings },
      });
    }
    if (action === 'GET /logs') {
      if (query.get('follow') === '1' || query.get('follow') === 'true') {
        throw new EngineError(400, 'the fake engine does not follow logs');
      }
      const frames = c.log
        .filter((l) => (l.stream === 1 ? query.get('stdout') : query.get('stderr')) === '1')
        .map((l) => {
          const head = Buffer.alloc(8);
          head[0] = l.stream;
          head.writeUInt32BE(l.data.length, 4);
          return Buffer.concat([head, l.data]);
        });
      res.writeHead(200, { 'content-type': 'application/vnd.docker.multiplexed-stream' });
      return void res.end(Buffer.concat(frames));
    }
    throw new EngineError(404, 'page not found');
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const route = url.pathname.replace(/^\/v\d+\.\d+(?=\/)/, '');
    calls.push(`${req.method} ${route.replace(/^\/(containers|images)\/(?!json$|create$)[^/]+/, '/$1/{id}')}`);
    res.setHeader('Api-Version', FAKE_API_VERSION);
    res.setHeader('Docker-Experimental', 'false');
    res.setHeader('Ostype', 'linux');
    res.setHeader('Server', 'Docker/24.0.0-kagg-fake (linux)');
    routes(req.method ?? 'GET', route, url.searchParams, req, res).catch((error: unknown) => {
      const status = error instanceof EngineError ? error.status : 500;
      if (!res.headersSent) {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: (error as Error).message }));
      } else res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    host: `tcp://127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    calls,
    images,
    containers,
    failNextBuild(message) {
      buildFailure = message;
    },
    async stop() {
      await Promise.all([...containers.values()].map((c) => kill(c, 0)));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(root, { recursive: true, force: true });
    },
  };
}
