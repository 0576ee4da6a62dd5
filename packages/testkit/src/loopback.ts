/**
 * The loopback guard: installed by `node --import @kagg/testkit/loopback-guard` (scripts/test.mjs
 * loads it into the test runner and, through NODE_OPTIONS, into every node process a test starts),
 * it makes every way out of the machine fail at once with an error that names the address:
 *
 * - TCP connections (`net.connect`, `Socket#connect`, and so http/https agents, tls and undici's
 *   `fetch`, which all connect through `net.Socket`) to anything but 127.0.0.0/8, ::1 or `localhost`;
 *   unix sockets are local and allowed;
 * - UDP `send` and `connect` (dgram) to other addresses;
 * - DNS: `dns.lookup`, `dns.lookupService`, `dns.reverse` and every `resolve*` (module functions,
 *   `dns.promises`, both `Resolver` classes) for any name other than `localhost` or a loopback address.
 *
 * A regression that makes kagg reach for a real host then fails its test at once, naming the host,
 * instead of sending traffic off the machine or waiting for a timeout. Python processes a test starts
 * are out of its reach (they do not load node modules).
 */
import dgram from 'node:dgram';
import dns from 'node:dns';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';

export const GUARD_CODE = 'ERR_KAGG_LOOPBACK_GUARD';
const INSTALLED = Symbol.for('kagg.loopbackGuard');

/** True for `localhost`, any 127.0.0.0/8 address and ::1 (also written as IPv4-mapped). */
export function isLoopback(host: string): boolean {
  const h = host
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  const v4 = h.startsWith('::ffff:') ? h.slice(7) : h;
  if (net.isIPv4(v4)) return v4.startsWith('127.');
  if (net.isIPv6(h)) return /^(0{0,4}:){2,7}0{0,3}1$/.test(h) || h === '::1';
  return false;
}

export class LoopbackGuardError extends Error {
  readonly code = GUARD_CODE;
  constructor(
    readonly what: string,
    readonly address: string,
  ) {
    super(
      `loopback guard: ${what} ${address} refused: tests may reach only 127.0.0.0/8, ::1 and localhost ` +
        '(@kagg/testkit/loopback-guard)',
    );
    this.name = 'LoopbackGuardError';
  }
}

type AnyFn = (...args: unknown[]) => unknown;

/** The host and port a `Socket#connect` call aims at (its arguments may be normalised already). */
function connectTarget(args: unknown[]): { host: string; port: unknown } | undefined {
  let first = args[0];
  if (Array.isArray(first)) first = first[0];
  if (first !== null && typeof first === 'object') {
    const o = first as { host?: string; port?: unknown; path?: string };
    if (o.path) return undefined; // a unix socket or a named pipe (net tests `!!path` too)
    return { host: o.host ?? 'localhost', port: o.port };
  }
  if (typeof first === 'string' && !/^\d+$/.test(first)) return undefined; // connect(path)
  return { host: typeof args[1] === 'string' ? args[1] : 'localhost', port: first };
}

function guardSockets(): void {
  const connect = net.Socket.prototype.connect as unknown as AnyFn;
  net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: unknown[]) {
    const target = connectTarget(args);
    if (!target || isLoopback(target.host)) return connect.apply(this, args);
    const error = new LoopbackGuardError('connection to', `${target.host}:${String(target.port)}`);
    process.nextTick(() => this.destroy(error));
    return this;
  } as typeof net.Socket.prototype.connect;

  const send = dgram.Socket.prototype.send as unknown as AnyFn;
  dgram.Socket.prototype.send = function guardedSend(this: dgram.Socket, ...args: unknown[]) {
    // send(msg, [offset, length,] port, address, callback); on a connected socket, no port or address
    const at = typeof args[1] === 'number' && typeof args[2] === 'number' ? 3 : 1;
    const address = args[at + 1];
    if (typeof args[at] !== 'number' || typeof address !== 'string' || isLoopback(address)) {
      return send.apply(this, args);
    }
    const error = new LoopbackGuardError('UDP datagram to', `${address}:${args[at]}`);
    const callback = args.find((a) => typeof a === 'function') as ((e: Error) => void) | undefined;
    process.nextTick(() => (callback ? callback(error) : this.emit('error', error)));
  } as typeof dgram.Socket.prototype.send;

  const udpConnect = dgram.Socket.prototype.connect as unknown as AnyFn;
  dgram.Socket.prototype.connect = function guardedUdpConnect(this: dgram.Socket, ...args: unknown[]) {
    const address = args[1];
    if (typeof address !== 'string' || isLoopback(address)) return udpConnect.apply(this, args);
    throw new LoopbackGuardError('UDP connection to', `${address}:${String(args[0])}`);
  } as typeof dgram.Socket.prototype.connect;
}

const DNS_METHODS = [
  'lookup',
  'lookupService',
  'reverse',
  'resolve',
  'resolve4',
  'resolve6',
  'resolveAny',
  'resolveCaa',
  'resolveCname',
  'resolveMx',
  'resolveNaptr',
  'resolveNs',
  'resolvePtr',
  'resolveSoa',
  'resolveSrv',
  'resolveTlsa',
  'resolveTxt',
] as const;

/** Wraps `holder[name]`: a name that is not loopback fails (callback or promise) without a query. */
function guardDns(holder: Record<string, unknown>, name: string, promises: boolean): void {
  const original = holder[name];
  if (typeof original !== 'function') return;
  holder[name] = function guardedDns(this: unknown, ...args: unknown[]) {
    const query = String(args[0]);
    if (isLoopback(query)) return (original as AnyFn).apply(this, args);
    const error = new LoopbackGuardError(`DNS ${name} of`, query);
    if (promises) return Promise.reject(error);
    const callback = args.findLast((a) => typeof a === 'function') as ((e: Error) => void) | undefined;
    if (!callback) throw error;
    process.nextTick(() => callback(error));
    return undefined;
  };
}

export function installLoopbackGuard(): void {
  const g = globalThis as Record<symbol, unknown>;
  if (g[INSTALLED]) return;
  g[INSTALLED] = true;
  guardSockets();
  const callbackStyle = [dns, dns.Resolver.prototype] as unknown as Record<string, unknown>[];
  const promiseStyle = [dns.promises, dns.promises.Resolver.prototype] as unknown as Record<string, unknown>[];
  for (const name of DNS_METHODS) {
    for (const holder of callbackStyle) guardDns(holder, name, false);
    for (const holder of promiseStyle) guardDns(holder, name, true);
  }
  syncBuiltinESMExports(); // `import { lookup } from 'node:dns'` sees the guarded functions too
}

/** True when the guard is active in this process. */
export function loopbackGuardInstalled(): boolean {
  return (globalThis as Record<symbol, unknown>)[INSTALLED] === true;
}
