/**
 * @kagg/plugin-api/kit — helpers for target authors, from the package you already depend on. Node
 * built-ins only (no dependency). kagg's own targets use the same ones.
 *
 *   import { registerSecret, waitUntilAnswering, zipFiles } from '@kagg/plugin-api/kit';
 */
import { createHash } from 'node:crypto';
import { connect, createServer } from 'node:net';
import { crc32, deflateRawSync, inflateRawSync } from 'node:zlib';
import { type BundleFile, type ResourceNaming, TargetError } from './index.js';

/** A plain object (not null, not an array): the guard for parsed JSON. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The naming kagg assumes when a target declares none. */
export const DEFAULT_NAMING: Required<ResourceNaming> = { prefix: 'kagg-', maxLength: 63 };
const NAME_HASH_LENGTH = 8;

/**
 * The provider-safe resource name of an endpoint, as kagg gives it in `ctx.resourceName`:
 * `kagg-<endpoint>` (no second prefix when the name already has one), cut to the provider's length
 * with `-` and eight hex digits of the full name's sha256 at the end when too long, so two long names
 * that share their beginning never share a resource.
 */
export function resourceNameOf(endpoint: string, naming: ResourceNaming = DEFAULT_NAMING): string {
  const prefix = naming.prefix ?? DEFAULT_NAMING.prefix;
  const full = endpoint.startsWith(prefix) ? endpoint : `${prefix}${endpoint}`;
  if (full.length <= naming.maxLength) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, NAME_HASH_LENGTH);
  const head = full.slice(0, naming.maxLength - NAME_HASH_LENGTH - 1).replace(/-+$/, '');
  return `${head}-${hash}`;
}

/** DOS date/time of 2020-01-01 00:00:00. */
const DOS_TIME = 0;
const DOS_DATE = ((2020 - 1980) << 9) | (1 << 5) | 1;

/** Throws `TargetError` `ZIP_BAD_PATH` unless `p` is relative and stays inside the archive. */
export function checkZipPath(p: string): void {
  if (p === '' || p.startsWith('/') || p.includes('\\') || p.split('/').some((s) => s === '..' || s === '')) {
    throw new TargetError(`refusing to put the path "${p}" in a zip: it must be relative and stay inside the archive`, {
      code: 'ZIP_BAD_PATH',
    });
  }
}

/**
 * A deterministic zip of `files`: the same files give the same bytes. Entries are sorted by path,
 * all carry one fixed date (2020-01-01, after 1980 so Python never treats shipped sources as stale),
 * Unix modes are kept, deflate runs at a fixed level (an entry deflate does not shrink is stored).
 * Refuses absolute paths, `..`, and duplicates (`TargetError`, `ZIP_BAD_PATH` / `ZIP_DUPLICATE`).
 */
export function zipFiles(files: readonly BundleFile[]): Uint8Array {
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  const seen = new Set<string>();
  for (const file of sorted) {
    checkZipPath(file.path);
    if (seen.has(file.path)) throw new TargetError(`duplicate zip entry "${file.path}"`, { code: 'ZIP_DUPLICATE' });
    seen.add(file.path);
    const name = Buffer.from(file.path, 'utf8');
    const raw = Buffer.from(file.data.buffer, file.data.byteOffset, file.data.byteLength);
    const deflated = deflateRawSync(raw, { level: 9 });
    const stored = deflated.length >= raw.length;
    const body = stored ? raw : deflated;
    const crc = crc32(raw) >>> 0;
    const method = stored ? 0 : 8;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(raw.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made by Unix, spec 2.0
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt16LE(DOS_TIME, 12);
    central.writeUInt16LE(DOS_DATE, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(raw.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE((((file.mode ?? 0o644) | 0o100000) << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const centralSize = centrals.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(sorted.length, 8);
  end.writeUInt16LE(sorted.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...locals, ...centrals, end]));
}

export interface ZipEntry extends BundleFile {
  /** DOS date as a JS Date (local fields read as UTC). */
  date: Date;
  compressedSize: number;
}

/** Reads a zip written by `zipFiles` or any ordinary (non-zip64) archive. Refuses unsafe paths. */
export function unzipFiles(zip: Uint8Array): ZipEntry[] {
  const buf = Buffer.from(zip.buffer, zip.byteOffset, zip.byteLength);
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65_557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new TargetError('not a zip archive (no end of central directory)', { code: 'ZIP_INVALID' });
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (buf.readUInt32LE(p) !== 0x02014b50)
      throw new TargetError('corrupt zip central directory', { code: 'ZIP_INVALID' });
    const method = buf.readUInt16LE(p + 10);
    const time = buf.readUInt16LE(p + 12);
    const date = buf.readUInt16LE(p + 14);
    const compressedSize = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const attrs = buf.readUInt32LE(p + 38);
    const localOffset = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    p += 46 + nameLen + extraLen + commentLen;
    if (name.endsWith('/')) continue;
    checkZipPath(name);
    const lNameLen = buf.readUInt16LE(localOffset + 26);
    const lExtraLen = buf.readUInt16LE(localOffset + 28);
    const start = localOffset + 30 + lNameLen + lExtraLen;
    const body = buf.subarray(start, start + compressedSize);
    const data = method === 0 ? Buffer.from(body) : inflateRawSync(body);
    const mode = (attrs >>> 16) & 0o777;
    entries.push({
      path: name,
      data: new Uint8Array(data),
      mode: mode || 0o644,
      compressedSize,
      date: new Date(
        Date.UTC((date >> 9) + 1980, ((date >> 5) & 15) - 1, date & 31, time >> 11, (time >> 5) & 63, (time & 31) * 2),
      ),
    });
  }
  return entries;
}

/**
 * The secrets kagg masks in everything it prints, shared by every copy of this package and kagg's
 * core in one process (a global registry, since each plugin has its own copy of this package).
 */
export function secretRegistry(): Set<string> {
  const key = Symbol.for('kagg.secrets');
  const holder = globalThis as unknown as Record<symbol, Set<string> | undefined>;
  holder[key] ??= new Set<string>();
  return holder[key];
}

/**
 * Masks `value` in every line, `--json` result and error kagg prints from now on (a token you
 * fetched, a key the provider returned). Values shorter than 6 characters are ignored. Settings
 * marked `secret: true` are registered by kagg itself.
 */
export function registerSecret(value: string | undefined | null): void {
  if (typeof value === 'string' && value.length >= 6) secretRegistry().add(value);
}

export interface ReadinessOptions {
  /** Headers for the poll (a key, a bearer token). */
  headers?: Record<string, string>;
  /** Give up after this long (default 60 s). */
  deadlineMs?: number;
  /** First wait between tries (default 100 ms), doubling up to 2 s. */
  pollMs?: number;
  /** `ctx.signal`: an abort stops the wait at once. */
  signal?: AbortSignal;
}

/**
 * Polls `GET url` until it answers below 500 (the runtime answers `GET /` with 200, or 500 with the
 * notebook's start-up error). Returns the answer; throws `TargetError` `NOT_ANSWERING` at the
 * deadline, or `NOTEBOOK_FAILED` with the start-up error when the runtime reports one.
 */
export async function waitUntilAnswering(
  url: string,
  options: ReadinessOptions = {},
): Promise<{ status: number; body: string }> {
  const deadline = Date.now() + (options.deadlineMs ?? 60_000);
  let delay = options.pollMs ?? 100;
  let last = 'no answer yet';
  for (;;) {
    options.signal?.throwIfAborted();
    try {
      const timeout = AbortSignal.timeout(Math.max(1000, Math.min(10_000, deadline - Date.now())));
      const res = await fetch(url, {
        headers: options.headers ?? {},
        signal: options.signal ? AbortSignal.any([options.signal, timeout]) : timeout,
      });
      const body = await res.text();
      if (res.status < 500) return { status: res.status, body };
      const failure = startupError(body);
      if (failure) {
        throw new TargetError(`the notebook failed at start-up: ${failure}`, {
          code: 'NOTEBOOK_FAILED',
          action: "fix the notebook (see the endpoint's logs with `kagg logs`) and deploy again",
        });
      }
      last = `HTTP ${res.status}`;
    } catch (error) {
      if (error instanceof TargetError || options.signal?.aborted) throw error;
      last = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() + delay > deadline) {
      throw new TargetError(`${url} did not answer in time (last: ${last})`, {
        code: 'NOT_ANSWERING',
        action: "see the endpoint's logs (`kagg logs NAME`), then deploy again",
      });
    }
    await new Promise<void>((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 2000);
  }
}

function startupError(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { error?: unknown; type?: unknown };
    return typeof parsed.error === 'string' ? `${String(parsed.type ?? 'Error')}: ${parsed.error}` : undefined;
  } catch {
    return undefined;
  }
}

/** True when nothing listens on 127.0.0.1:port, so a server of yours can bind it. */
export function loopbackPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ host: '127.0.0.1', port, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

/**
 * True once a TCP connection to 127.0.0.1:port succeeds. No HTTP request is sent, so the instance's
 * first (cold) response stays the caller's.
 */
export function loopbackListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setTimeout(1000);
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}
