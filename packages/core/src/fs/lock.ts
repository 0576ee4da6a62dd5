/**
 * A cross-process lock on a file, for read-modify-write of files kagg owns. The lock is a sibling
 * `<file>.lock` created with O_EXCL holding the owner's pid; a lock whose owner is dead (or older
 * than `staleMs`) is taken over. Waiting is bounded: past `timeoutMs` the caller gets a clear error.
 *
 * A takeover removes the stale lock only while holding `<file>.lock.takeover` (O_EXCL too) and after
 * checking again, under it, that the lock is still stale. Without that, two processes that both saw
 * the same dead owner could both remove "the" lock, the second removing the first one's fresh lock,
 * and both would run. The guard is held for two file-system calls; one left by a process that died
 * holding it is removed once its owner is dead or it is older than GUARD_STALE_MS.
 */
import { open, readFile, rm, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { KaggError } from '../errors/index.js';

export interface LockOptions {
  timeoutMs?: number;
  staleMs?: number;
}

/** True when a process with this pid exists (it may belong to another user). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function isStale(lockFile: string, staleMs: number): Promise<boolean> {
  try {
    const [text, info] = await Promise.all([readFile(lockFile, 'utf8'), stat(lockFile)]);
    const pid = Number.parseInt(text, 10);
    if (Number.isInteger(pid) && pid > 0 && !isProcessAlive(pid)) return true;
    return Date.now() - info.mtimeMs > staleMs;
  } catch {
    return false; // vanished or half-written: just retry
  }
}

/** Creates `lockFile` holding this process's pid; false when it already exists. */
export async function createLockFile(lockFile: string): Promise<boolean> {
  try {
    const handle = await open(lockFile, 'wx', 0o600);
    try {
      await handle.writeFile(String(process.pid));
    } finally {
      await handle.close();
    }
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

const GUARD_STALE_MS = 10_000;

/** Removes a stale `lockFile` unless another process's takeover is under way; true when removed. */
async function takeOver(lockFile: string, staleMs: number): Promise<boolean> {
  const guard = `${lockFile}.takeover`;
  if (!(await createLockFile(guard))) {
    if (await isStale(guard, GUARD_STALE_MS)) await rm(guard, { force: true });
    return false;
  }
  try {
    if (!(await isStale(lockFile, staleMs))) return false;
    await rm(lockFile, { force: true });
    return true;
  } finally {
    await rm(guard, { force: true });
  }
}

export async function withFileLock<T>(file: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const lockFile = `${file}.lock`;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const staleMs = options.staleMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  let delay = 5;
  for (;;) {
    if (await createLockFile(lockFile)) break;
    if ((await isStale(lockFile, staleMs)) && (await takeOver(lockFile, staleMs))) continue;
    if (Date.now() > deadline) {
      throw new KaggError(`timed out waiting for the lock on ${file}`, {
        code: 'LOCK_TIMEOUT',
        action: `another kagg process holds ${lockFile}; if none is running, delete that file`,
      });
    }
    await sleep(delay + Math.random() * delay);
    delay = Math.min(delay * 2, 100);
  }
  try {
    return await fn();
  } finally {
    await rm(lockFile, { force: true });
  }
}
