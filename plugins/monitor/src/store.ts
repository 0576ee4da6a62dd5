/**
 * Where runs live: KAGG_HOME/monitor/<run id>/ with `run.json` (what was asked, written atomically at
 * the start and again at the end) and `probes.jsonl` (one line per probe or missed tick). Each line
 * is one write(2) on an O_APPEND descriptor as soon as the probe ends, so a run killed with Ctrl-C or
 * kill -9 keeps every probe up to its last; `kagg monitor report` reads whatever is there.
 */
import { closeSync, existsSync, fsyncSync, openSync, readdirSync, writeSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { KaggError } from '@kagg/core/errors';
import { writeFileAtomic } from '@kagg/core/fs';
import type { ProbeMode, RunLine } from './record.js';

export interface RunMeta {
  id: string;
  startedAt: string;
  /** Set when the run ended normally or by Ctrl-C; absent when it was killed. */
  finishedAt?: string;
  stoppedBy?: 'duration' | 'interrupt';
  endpoints: Array<{ name: string; target: string; url: string }>;
  intervalMs: number;
  durationMs: number;
  mode: ProbeMode;
  conditions: string[];
  failureThreshold: number;
  successThreshold: number;
  timeoutMs: number;
}

export function monitorDir(home: string): string {
  return path.join(home, 'monitor');
}

export function newRunId(wallMs: number): string {
  const d = new Date(wallMs).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${d}-${Math.random().toString(36).slice(2, 6)}`;
}

export class RunWriter {
  private fd: number | null;
  readonly dir: string;

  private constructor(
    dir: string,
    private meta: RunMeta,
  ) {
    this.dir = dir;
    this.fd = openSync(path.join(dir, 'probes.jsonl'), 'a', 0o600);
  }

  static async create(home: string, meta: RunMeta): Promise<RunWriter> {
    const dir = path.join(monitorDir(home), meta.id);
    await mkdir(dir, { recursive: true });
    await writeFileAtomic(path.join(dir, 'run.json'), `${JSON.stringify(meta, null, 2)}\n`);
    return new RunWriter(dir, meta);
  }

  append(line: RunLine): void {
    if (this.fd === null) return;
    writeSync(this.fd, `${JSON.stringify(line)}\n`);
  }

  async finish(stoppedBy: RunMeta['stoppedBy'], finishedAt: string): Promise<void> {
    if (this.fd !== null) {
      fsyncSync(this.fd);
      closeSync(this.fd);
      this.fd = null;
    }
    this.meta = { ...this.meta, finishedAt, ...(stoppedBy ? { stoppedBy } : {}) };
    await writeFileAtomic(path.join(this.dir, 'run.json'), `${JSON.stringify(this.meta, null, 2)}\n`);
  }
}

export interface LoadedRun {
  dir: string;
  meta: RunMeta;
  lines: RunLine[];
  /** Lines that could not be parsed (a torn last line after a crash): skipped, counted. */
  skipped: number;
}

/** Finds a run by id, by `latest`, or by the path of its folder. */
export function findRun(home: string, run: string): string {
  if (existsSync(path.join(run, 'run.json'))) return run;
  const root = monitorDir(home);
  const ids = existsSync(root)
    ? readdirSync(root)
        .filter((n) => existsSync(path.join(root, n, 'run.json')))
        .sort()
    : [];
  const id = run === 'latest' ? ids.at(-1) : ids.find((n) => n === run);
  if (!id) {
    throw new KaggError(`no monitor run "${run}" in ${root}`, {
      code: 'RUN_NOT_FOUND',
      action:
        ids.length > 0
          ? `recent runs: ${ids.slice(-5).join(', ')} (or "latest")`
          : 'start one with `kagg monitor NAME`',
    });
  }
  return path.join(root, id);
}

export async function loadRun(dir: string): Promise<LoadedRun> {
  let meta: RunMeta;
  try {
    meta = JSON.parse(await readFile(path.join(dir, 'run.json'), 'utf8')) as RunMeta;
  } catch (error) {
    throw new KaggError(`${path.join(dir, 'run.json')} is unreadable: ${(error as Error).message}`, {
      code: 'RUN_CORRUPT',
    });
  }
  const file = path.join(dir, 'probes.jsonl');
  const text = existsSync(file) ? await readFile(file, 'utf8') : '';
  const lines: RunLine[] = [];
  let skipped = 0;
  for (const raw of text.split('\n')) {
    if (raw.trim() === '') continue;
    try {
      lines.push(JSON.parse(raw) as RunLine);
    } catch {
      skipped++;
    }
  }
  return { dir, meta, lines, skipped };
}
