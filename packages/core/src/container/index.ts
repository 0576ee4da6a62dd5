/**
 * `@kagg/core/container`: the OCI build context of a notebook, shared by every container target
 * (the local `container` target, Cloud Run).
 *
 * Stable API:
 * - `containerContextFiles(bundle, options?)` → `BundleFile[]` ({path, data, mode}), sorted by path:
 *   `Dockerfile`, `.dockerignore`, `requirements.txt`, `server.py` (the entry point), the shared
 *   runtime (`kagg_runtime.py`, `kagg_local_server.py`), `notebook.py` and the bundle's files.
 *   Deterministic: the same bundle gives the same bytes.
 * - `writeContainerContext(dir, bundle, options?)` writes them under `dir` and returns them.
 * - `tarFiles(files)` → a deterministic ustar archive (mtime 0, uid/gid 0), the body `POST /build`
 *   of the Docker Engine API takes; gzip it for an upload that wants `.tar.gz`.
 * - `CONTAINER_PORT` (8080, the `PORT` default baked into the image), `BASE_IMAGE`, `CONTAINER_CMD`.
 *
 * Running `CONTAINER_CMD` in the written folder with `PORT=N` serves the notebook without docker.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { BundleFile, FunctionBundle } from '@kagg/plugin-api';
import { KaggError } from '../errors/index.js';
import { CONTAINER_SERVER, LOCAL_SERVER, readRuntimeFile } from '../runtime/index.js';

/**
 * python:3.12-slim, pinned by digest so the same context always builds on the same base. Bump it
 * deliberately (`docker buildx imagetools inspect python:3.12-slim`), then run the container tests.
 */
export const BASE_IMAGE = 'python:3.12-slim@sha256:78387bc3881b8273120a12ebe6c1ab22b018ccc2c9adf565ae1ac9b536e184ea';

/** The port the image listens on unless `PORT` says otherwise. */
export const CONTAINER_PORT = 8080;

/** The image's CMD, run from the context's root. */
export const CONTAINER_CMD: readonly string[] = ['python3', 'server.py'];

/** The uid the server runs as (not root; numeric so `runAsNonRoot` checks can verify it). */
export const CONTAINER_UID = 10001;

const ENTRY = 'server.py';
const SERVER_MODULE = 'kagg_local_server.py';
const GENERATED = ['Dockerfile', '.dockerignore', 'requirements.txt', ENTRY, SERVER_MODULE];

export interface ContainerContextOptions {
  /** Extra `ENV` lines baked into the image (names must be valid environment variable names). */
  env?: Record<string, string>;
}

function dockerfile(bundle: FunctionBundle, options: ContainerContextOptions): string {
  const env = Object.entries(options.env ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  for (const [key] of env) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
      throw new KaggError(`invalid environment variable name "${key}" for the container image`, {
        code: 'CONTAINER_ENV_INVALID',
      });
    }
  }
  const health = `import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/' % os.environ.get('PORT', '${CONTAINER_PORT}'), timeout=4)`;
  // No `# syntax=` line: BuildKit would pull a frontend image for it, which an offline builder cannot.
  return [
    `# kagg build context for "${bundle.name}" (bundle ${bundle.hash.slice(0, 12)}). Generated: regenerate, do not edit.`,
    '# The base is pinned by digest: bump it deliberately (docker buildx imagetools inspect python:3.12-slim).',
    `FROM ${BASE_IMAGE}`,
    'ENV PYTHONDONTWRITEBYTECODE=1 \\',
    '    PYTHONUNBUFFERED=1 \\',
    '    PIP_NO_CACHE_DIR=1 \\',
    '    PIP_DISABLE_PIP_VERSION_CHECK=1 \\',
    `    PORT=${CONTAINER_PORT}`,
    ...env.map(([k, v]) => `ENV ${k}=${JSON.stringify(v)}`),
    `RUN useradd --uid ${CONTAINER_UID} --user-group --no-create-home --shell /usr/sbin/nologin kagg`,
    'WORKDIR /app',
    '# Requirements first, in their own layer: a code change rebuilds only the COPY below.',
    'COPY requirements.txt ./',
    'RUN pip install --no-cache-dir -r requirements.txt',
    '# The code stays owned by root: the server cannot rewrite it.',
    'COPY . ./',
    `USER ${CONTAINER_UID}:${CONTAINER_UID}`,
    `EXPOSE ${CONTAINER_PORT}`,
    `HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 CMD ${JSON.stringify(['python3', '-c', health])}`,
    `CMD ${JSON.stringify(CONTAINER_CMD)}`,
    '',
  ].join('\n');
}

const DOCKERIGNORE = ['# kagg: what never goes into the image', '.git', '**/__pycache__', '**/*.pyc', ''].join('\n');

/** The build context's files for `bundle`, sorted by path. */
export async function containerContextFiles(
  bundle: FunctionBundle,
  options: ContainerContextOptions = {},
): Promise<BundleFile[]> {
  for (const file of bundle.files) {
    if (GENERATED.includes(file.path)) {
      throw new KaggError(
        `the notebook bundle has its own ${file.path}, where the container build context needs kagg's`,
        {
          code: 'CONTAINER_FILE_CONFLICT',
          action: `rename the bundled ${file.path} or leave it out`,
        },
      );
    }
  }
  const text = (s: string) => new TextEncoder().encode(s);
  const requirements = bundle.requirements.length > 0 ? `${bundle.requirements.join('\n')}\n` : '';
  const files: BundleFile[] = [
    ...bundle.files.map((f) => ({ path: f.path, data: f.data, mode: f.mode ?? 0o644 })),
    { path: 'Dockerfile', data: text(dockerfile(bundle, options)), mode: 0o644 },
    { path: '.dockerignore', data: text(DOCKERIGNORE), mode: 0o644 },
    { path: 'requirements.txt', data: text(requirements), mode: 0o644 },
    { path: ENTRY, data: await readRuntimeFile(CONTAINER_SERVER), mode: 0o644 },
    { path: SERVER_MODULE, data: await readRuntimeFile(LOCAL_SERVER), mode: 0o644 },
  ];
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Writes the build context under `dir` (created when missing) and returns its files. */
export async function writeContainerContext(
  dir: string,
  bundle: FunctionBundle,
  options: ContainerContextOptions = {},
): Promise<BundleFile[]> {
  const files = await containerContextFiles(bundle, options);
  for (const file of files) {
    const to = path.join(dir, ...file.path.split('/'));
    await mkdir(path.dirname(to), { recursive: true });
    await writeFile(to, file.data, { mode: file.mode ?? 0o644 });
  }
  return files;
}

function header(name: string, size: number, mode: number, type: '0' | '5'): Buffer {
  const block = Buffer.alloc(512);
  let prefix = '';
  let base = name;
  if (Buffer.byteLength(name) > 100) {
    const cut = name.lastIndexOf('/', 155);
    if (cut <= 0 || Buffer.byteLength(name.slice(cut + 1)) > 100 || Buffer.byteLength(name.slice(0, cut)) > 155) {
      throw new KaggError(`"${name}" is too long a path for the build context archive (ustar: 255 bytes)`, {
        code: 'CONTAINER_PATH_TOO_LONG',
        action: 'shorten the bundled file path',
      });
    }
    prefix = name.slice(0, cut);
    base = name.slice(cut + 1);
  }
  const octal = (value: number, width: number) => `${value.toString(8).padStart(width - 1, '0')}\0`;
  block.write(base, 0, 100, 'utf8');
  block.write(octal(mode, 8), 100, 'ascii');
  block.write(octal(0, 8), 108, 'ascii'); // uid
  block.write(octal(0, 8), 116, 'ascii'); // gid
  block.write(octal(size, 12), 124, 'ascii');
  block.write(octal(0, 12), 136, 'ascii'); // mtime: 0, so the same files give the same bytes
  block.write('        ', 148, 'ascii'); // checksum placeholder
  block.write(type, 156, 'ascii');
  block.write('ustar\0', 257, 'ascii');
  block.write('00', 263, 'ascii');
  block.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return block;
}

/** A deterministic ustar archive of `files` (folders implied by paths are written before their files). */
export function tarFiles(files: readonly BundleFile[]): Uint8Array {
  const parts: Buffer[] = [];
  const dirs = new Set<string>();
  for (const file of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    const segments = file.path.split('/');
    for (let i = 1; i < segments.length; i++) {
      const dir = `${segments.slice(0, i).join('/')}/`;
      if (!dirs.has(dir)) {
        dirs.add(dir);
        parts.push(header(dir, 0, 0o755, '5'));
      }
    }
    const data = Buffer.from(file.data.buffer, file.data.byteOffset, file.data.byteLength);
    parts.push(header(file.path, data.length, file.mode ?? 0o644, '0'), data);
    const pad = (512 - (data.length % 512)) % 512;
    if (pad > 0) parts.push(Buffer.alloc(pad));
  }
  parts.push(Buffer.alloc(1024));
  return new Uint8Array(Buffer.concat(parts));
}
