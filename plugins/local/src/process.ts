/**
 * The local server process: started detached so it outlives the CLI, identified by pid and checked
 * by its command line before kagg ever signals it (a pid can be reused by another program).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export function commandLineOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    try {
      return execFileSync('ps', ['-p', String(pid), '-o', 'command='], { encoding: 'utf8' }).trim() || undefined;
    } catch {
      return undefined;
    }
  }
}

/** True when `pid` is alive and is the kagg local server serving `dir`. */
export function isOurServer(pid: number, dir: string): boolean {
  const cmd = commandLineOf(pid);
  return Boolean(cmd?.includes('kagg_local.py') && cmd.includes(dir));
}

/** True once `pid` has exited (gone, or a zombie waiting to be reaped by whoever adopted it). */
export function hasExited(pid: number): boolean {
  try {
    const state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
    return state === 'Z' || state === 'X';
  } catch {
    try {
      process.kill(pid, 0);
      return false;
    } catch {
      return true;
    }
  }
}

/** SIGTERM, then SIGKILL after `graceMs` if it is still there. Only for a pid that `isOurServer`. */
export async function stopServer(pid: number, dir: string, graceMs = 3000): Promise<boolean> {
  if (!isOurServer(pid, dir)) return false;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return false;
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (hasExited(pid)) return true;
    await sleep(20);
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
  const killDeadline = Date.now() + 5000;
  while (!hasExited(pid) && Date.now() < killDeadline) await sleep(20);
  return true;
}

/**
 * The pids of every kagg server serving a version folder under `folder` (an endpoint's own folder):
 * after an interrupted redeploy the registry knows only the newer server, yet the older one may
 * still be running. Linux's /proc only; elsewhere none (destroy then stops the recorded pid alone).
 */
export function serversUnder(folder: string): number[] {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
  const prefix = `${folder.replace(/\/+$/, '')}/`;
  return pids.map(Number).filter((pid) => pid !== process.pid && isOurServer(pid, prefix));
}
