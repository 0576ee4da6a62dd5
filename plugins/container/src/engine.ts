/**
 * A small client of the Docker Engine HTTP API (v1.41, which Docker 20.10+ and Podman's compat
 * service both speak), over a Unix socket or plain TCP. node:http directly: the engine is local, so
 * none of kagg's proxy handling applies (an HTTP_PROXY must never see a socket path or a build
 * context), and a Unix socket is just `socketPath`.
 */
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import { TargetError } from '@kagg/plugin-api';

const API = '/v1.41';

export interface EngineEndpoint {
  socketPath?: string;
  host?: string;
  port?: number;
  /** As the user would write it in DOCKER_HOST. */
  display: string;
}

export const START_DAEMON =
  'install Docker or Podman and start its daemon: `systemctl start docker` (or Docker Desktop), or `podman system service --time=0 &` for Podman; set DOCKER_HOST (unix:///path/to.sock or tcp://127.0.0.1:N) when it listens elsewhere';

/** Where the engine is: `explicit` (the dockerHost setting), else DOCKER_HOST, else the first socket that exists. */
export function resolveEngine(explicit?: string, env: NodeJS.ProcessEnv = process.env): EngineEndpoint {
  const given = explicit ?? env.DOCKER_HOST;
  if (given) {
    if (given.startsWith('unix://')) return { socketPath: given.slice('unix://'.length), display: given };
    const tcp = /^tcp:\/\/([^:/]+):(\d+)\/?$/.exec(given);
    if (tcp) {
      if (env.DOCKER_TLS_VERIFY) {
        throw new TargetError('DOCKER_TLS_VERIFY is set: the container target speaks to the engine without TLS', {
          kind: 'usage',
          code: 'CONTAINER_ENGINE_TLS',
          action: 'use the engine through its Unix socket (unix:///var/run/docker.sock) or unset DOCKER_TLS_VERIFY',
        });
      }
      return { host: tcp[1]!, port: Number(tcp[2]), display: given };
    }
    throw new TargetError(`DOCKER_HOST "${given}" is not supported`, {
      kind: 'usage',
      code: 'CONTAINER_ENGINE_HOST',
      action: 'use unix:///path/to/docker.sock or tcp://HOST:PORT (ssh:// and npipe:// are not supported)',
    });
  }
  const candidates = [
    '/var/run/docker.sock',
    ...(env.XDG_RUNTIME_DIR ? [path.join(env.XDG_RUNTIME_DIR, 'podman', 'podman.sock')] : []),
    '/run/podman/podman.sock',
  ];
  const socketPath = candidates.find((p) => existsSync(p)) ?? candidates[0]!;
  return { socketPath, display: `unix://${socketPath}` };
}

export interface EngineResponse {
  status: number;
  body: Buffer;
}

export interface EngineRequest {
  query?: Record<string, string | number | boolean | undefined>;
  json?: unknown;
  body?: Uint8Array;
  contentType?: string;
  signal?: AbortSignal;
  /** Statuses that are answers, not errors (404 for "absent", 304 for "already so"). */
  ok?: number[];
}

function noEngine(engine: EngineEndpoint, error: NodeJS.ErrnoException): TargetError {
  const why =
    error.code === 'EACCES'
      ? `permission denied on ${engine.socketPath}`
      : error.code === 'ENOENT'
        ? `no socket at ${engine.socketPath}`
        : error.message;
  return new TargetError(`no Docker or Podman engine answers at ${engine.display} (${why})`, {
    code: 'CONTAINER_NO_ENGINE',
    action:
      error.code === 'EACCES'
        ? 'add yourself to the docker group (`sudo usermod -aG docker $USER`, then log in again), or use rootless Podman'
        : START_DAEMON,
  });
}

/** One Engine API call; a status outside 2xx and `ok` is a TargetError quoting the engine's message. */
export function engineRequest(
  engine: EngineEndpoint,
  method: string,
  apiPath: string,
  options: EngineRequest = {},
): Promise<EngineResponse> {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) query.set(k, String(v));
  const payload =
    options.json !== undefined
      ? Buffer.from(JSON.stringify(options.json))
      : options.body
        ? Buffer.from(options.body)
        : undefined;
  const headers: Record<string, string> = { host: 'docker' };
  if (payload) {
    headers['content-type'] =
      options.json !== undefined ? 'application/json' : (options.contentType ?? 'application/octet-stream');
    headers['content-length'] = String(payload.length);
  }
  const target = `${API}${apiPath}${query.size > 0 ? `?${query}` : ''}`;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        method,
        path: target,
        headers,
        ...(engine.socketPath ? { socketPath: engine.socketPath } : { host: engine.host, port: engine.port }),
        ...(options.signal ? { signal: options.signal } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const body = Buffer.concat(chunks);
          if ((status >= 200 && status < 300) || options.ok?.includes(status)) return resolve({ status, body });
          let message = body.toString('utf8').trim();
          try {
            message = (JSON.parse(message) as { message?: string }).message ?? message;
          } catch {}
          reject(
            new TargetError(`the container engine refused ${method} ${apiPath} (HTTP ${status}): ${message}`, {
              code: status === 404 ? 'CONTAINER_ENGINE_NOT_FOUND' : 'CONTAINER_ENGINE_ERROR',
              details: { status },
            }),
          );
        });
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (options.signal?.aborted) return reject(options.signal.reason ?? error);
      reject(
        ['ENOENT', 'ECONNREFUSED', 'EACCES', 'ENOTSOCK'].includes(error.code ?? '') ? noEngine(engine, error) : error,
      );
    });
    req.end(payload);
  });
}

/** `GET /_ping`: resolves when the engine answers, else a TargetError saying what to install or start. */
export async function ping(engine: EngineEndpoint, signal?: AbortSignal): Promise<void> {
  const res = await engineRequest(engine, 'GET', '/_ping', signal ? { signal } : {});
  if (res.body.toString('utf8').trim() !== 'OK') {
    throw new TargetError(
      `${engine.display} answered /_ping with "${res.body.toString('utf8').slice(0, 80)}", not a Docker Engine`,
      {
        code: 'CONTAINER_NO_ENGINE',
        action: START_DAEMON,
      },
    );
  }
}

/**
 * `POST /build`: the daemon streams JSON lines and reports a failed build inside the stream (HTTP
 * 200), as `{"error": ..., "errorDetail": {...}}`. Returns the stream's text lines.
 */
export async function build(
  engine: EngineEndpoint,
  tar: Uint8Array,
  query: Record<string, string>,
  signal?: AbortSignal,
): Promise<string[]> {
  const res = await engineRequest(engine, 'POST', '/build', {
    query: { ...query, rm: 1, forcerm: 1 },
    body: tar,
    contentType: 'application/x-tar',
    ...(signal ? { signal } : {}),
  });
  const lines: string[] = [];
  for (const raw of res.body.toString('utf8').split(/\r?\n/)) {
    if (!raw.trim()) continue;
    let event: { stream?: string; error?: string; errorDetail?: { message?: string } };
    try {
      event = JSON.parse(raw) as typeof event;
    } catch {
      continue;
    }
    if (event.stream) lines.push(...event.stream.split('\n').filter((l) => l.trim() !== ''));
    if (event.error || event.errorDetail) {
      const message = event.errorDetail?.message ?? event.error ?? 'unknown error';
      throw new TargetError(`the image build failed: ${message}\n${lines.slice(-20).join('\n')}`, {
        code: 'CONTAINER_BUILD_FAILED',
        action:
          'fix the notebook or its requirements, then deploy again (`kagg package NB --container --dir D` writes the context to try `docker build D`)',
      });
    }
  }
  return lines;
}

/** The text of a multiplexed (non-TTY) log stream: 8-byte frame headers, then the payload. */
export function demultiplex(buf: Buffer): string {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= buf.length) {
    const size = buf.readUInt32BE(offset + 4);
    parts.push(buf.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  return Buffer.concat(parts).toString('utf8');
}
