/**
 * `kagg run`: push a new version, wait for its session to end, then collect outputs and log.
 *
 * The status API has no session id: right after a push it can still report the *previous* version's
 * terminal state, or 404 until the new session registers (contracts/kaggle-api.md §2.6). A terminal
 * reading counts as this run's only when
 *   - a non-terminal state (QUEUED/RUNNING/…) was seen since the push, or
 *   - it differs from the state recorded just before the push (or there was none), or
 *   - the same terminal state persisted for longer than the stale window (a run that finished
 *     between two polls), `KAGG_KAGGLE_STALE_GRACE_MS`, default 60 s.
 */
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isKaggError, KaggError, usageError } from '../errors/index.js';
import { sleep } from '../http/retry.js';
import type { KaggleClient } from './client.js';
import { METADATA_FILE, pulledMetadataJson } from './metadata.js';
import { downloadKernelOutputs, type KernelOutputResult } from './output.js';
import { isTerminal, logToText } from './parse.js';
import { fetchKernelNotebook } from './pull.js';
import { type PushOptions, preparePush, sendPush } from './push.js';
import { type FullKernelRef, formatRef, parseKernelRef } from './ref.js';
import type { KernelStatus, SessionStatus } from './types.js';

export interface RunOptions extends PushOptions {
  /** Where outputs and the log go (default `<cwd>/<slug>-output`). */
  path?: string;
  /** Longest wait for the run to end (default 12 h, Kaggle's session limit). */
  timeoutMs?: number;
  /** False: push and return at once. */
  wait?: boolean;
  /** Time between status polls (default `KAGG_KAGGLE_POLL_MS` or 5 s). */
  pollMs?: number;
  /** See the module comment (default `KAGG_KAGGLE_STALE_GRACE_MS` or 60 s). */
  staleGraceMs?: number;
  /** Requests in flight while downloading outputs. */
  parallel?: number;
  cwd?: string;
  onProgress?: (text: string) => void;
}

export interface RunResult {
  ref: string;
  url: string;
  versionNumber: number | null;
  /** `QUEUED` with `waited: false` after `--no-wait`. */
  status: KernelStatus;
  waited: boolean;
  failureMessage: string;
  outputDir: string | null;
  outputs: KernelOutputResult | null;
  log: string | null;
  warnings: string[];
  elapsedMs: number;
}

const envMs = (name: string, fallback: number): number => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v >= 0 && process.env[name] !== '' ? v : fallback;
};

async function isLocal(input: string): Promise<boolean> {
  try {
    await stat(input);
    return true;
  } catch {
    return false;
  }
}

async function previousStatus(client: KaggleClient, ref: FullKernelRef): Promise<SessionStatus | undefined> {
  try {
    return await client.getSessionStatus(ref);
  } catch (error) {
    if (isKaggError(error) && error.code === 'KAGGLE_NOT_FOUND') return undefined;
    throw error;
  }
}

function tail(text: string, lines = 20): string {
  const all = text.replace(/\s+$/, '').split('\n');
  return all.slice(-lines).join('\n');
}

/**
 * Pulls a kernel (ref or Kaggle URL) into a new temporary folder with its kernel-metadata.json, ready
 * to push as a new version. The caller removes the folder.
 */
export async function stageKernelForPush(
  client: KaggleClient,
  input: string,
  progress: (text: string) => void = () => {},
): Promise<string> {
  const ref = parseKernelRef(input);
  if (!ref) {
    throw usageError(`"${input}" is not a file, a folder, a kernel ref or a Kaggle URL.`, {
      code: 'RUN_BAD_INPUT',
      action:
        'Give a notebook, a folder with kernel-metadata.json, owner/slug, or https://www.kaggle.com/code/owner/slug.',
    });
  }
  progress(`Pulling ${ref.owner ? `${ref.owner}/` : ''}${ref.slug}`);
  const nb = await fetchKernelNotebook(client, ref);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kagg-run-'));
  await writeFile(path.join(dir, nb.fileName), nb.text, 'utf8');
  await writeFile(path.join(dir, METADATA_FILE), pulledMetadataJson(nb.metadata, nb.fileName), 'utf8');
  return dir;
}

export async function runKernel(client: KaggleClient, input: string, options: RunOptions = {}): Promise<RunResult> {
  const started = Date.now();
  const progress = options.onProgress ?? (() => {});
  const cwd = options.cwd ?? process.cwd();
  let workDir: string | undefined;
  let pushPath = path.resolve(cwd, input);
  try {
    if (!(await isLocal(pushPath))) {
      workDir = await stageKernelForPush(client, input, progress);
      pushPath = workDir;
    }
    const prepared = await preparePush(client, pushPath, options);
    const idRef = prepared.metadata.id ? parseKernelRef(prepared.metadata.id) : null;
    const known = idRef?.owner ? { owner: idRef.owner, slug: idRef.slug } : undefined;
    const before = known ? await previousStatus(client, known) : undefined;
    progress(`Pushing ${known ? formatRef(known) : prepared.codeFile}`);
    const pushed = await sendPush(client, prepared);
    const [owner = '', slug = ''] = pushed.ref.split('/');
    const ref: FullKernelRef = { owner, slug };
    const base: RunResult = {
      ref: pushed.ref,
      url: pushed.url,
      versionNumber: pushed.versionNumber,
      status: 'QUEUED',
      waited: false,
      failureMessage: '',
      outputDir: null,
      outputs: null,
      log: null,
      warnings: pushed.warnings,
      elapsedMs: 0,
    };
    if (options.wait === false) return { ...base, elapsedMs: Date.now() - started };

    const status = await waitForRun(client, ref, { versionNumber: pushed.versionNumber, before }, options, progress);
    const outputDir = path.resolve(cwd, options.path ?? `${slug}-output`);
    const version = pushed.versionNumber ? ` version ${pushed.versionNumber}` : '';
    if (status.status === 'COMPLETE') {
      progress(`Downloading outputs of ${pushed.ref}`);
      const outputs = await downloadKernelOutputs(client, ref, outputDir, { parallel: options.parallel });
      const failed = outputs.files.filter((f) => f.outcome === 'refused' || f.outcome === 'failed');
      if (failed.length > 0) {
        throw new KaggError(
          `Run of ${pushed.ref}${version} completed, but ${failed.length} output file(s) could not be saved:\n  ${failed.map((f) => f.error).join('\n  ')}`,
          {
            code: 'KAGGLE_OUTPUT_FAILED',
            details: { ref: pushed.ref, versionNumber: pushed.versionNumber, outputDir, files: outputs.files },
          },
        );
      }
      return {
        ...base,
        status: 'COMPLETE',
        waited: true,
        outputDir,
        outputs,
        log: outputs.log,
        elapsedMs: Date.now() - started,
      };
    }
    // ERROR or cancelled: keep the log, show its tail.
    let logText = '';
    let logPath: string | null = null;
    try {
      const page = await client.listSessionOutput(ref, undefined, 1);
      logText = logToText(page.log);
      if (logText) {
        const { mkdir } = await import('node:fs/promises');
        await mkdir(outputDir, { recursive: true });
        logPath = path.join(outputDir, `${slug}.log`);
        await writeFile(logPath, page.log, 'utf8');
        await writeFile(`${logPath}.txt`, logText, 'utf8');
      }
    } catch {
      // the failure itself is what matters; the log is a bonus
    }
    const what = status.status === 'ERROR' ? 'failed' : 'was cancelled';
    const logTail = tail(logText);
    throw new KaggError(
      `Run of ${pushed.ref}${version} ${what}${status.failureMessage ? `: ${status.failureMessage}` : ''}${logTail ? `\nLast lines of the log:\n${logTail}` : ''}`,
      {
        code: status.status === 'ERROR' ? 'KAGGLE_RUN_FAILED' : 'KAGGLE_RUN_CANCELLED',
        action: logPath ? `The full log is in ${logPath}.` : `See ${pushed.url}`,
        details: {
          ref: pushed.ref,
          versionNumber: pushed.versionNumber,
          status: status.status,
          failureMessage: status.failureMessage,
          logTail,
          log: logPath,
        },
      },
    );
  } finally {
    if (workDir) await rm(workDir, { recursive: true, force: true });
  }
}

/** What kagg knew of a run when it pushed it. */
export interface PushedRun {
  versionNumber: number | null;
  /** The status read just before the push (the previous run's, if any). */
  before?: { status: string; failureMessage: string } | null;
  /** When the push was sent (default: now). */
  pushedAt?: number;
}

export interface WaitOptions {
  pollMs?: number;
  staleGraceMs?: number;
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * Waits for the run a push started to finish, never mistaking the previous run's terminal status
 * for this one's (the API has no session id): a finished state counts once the run was seen queued
 * or running, or differs from the one read before the push, or outlasts the grace window.
 */
export async function waitForRun(
  client: KaggleClient,
  ref: FullKernelRef,
  run: PushedRun,
  options: WaitOptions,
  progress: (text: string) => void,
): Promise<SessionStatus> {
  const pollMs = options.pollMs ?? envMs('KAGG_KAGGLE_POLL_MS', 5000);
  const staleGraceMs = options.staleGraceMs ?? envMs('KAGG_KAGGLE_STALE_GRACE_MS', 60_000);
  const timeoutMs = options.timeoutMs ?? 12 * 3600_000;
  const pushedAt = run.pushedAt ?? Date.now();
  const { versionNumber, before } = run;
  const label = `${formatRef(ref)}${versionNumber ? ` v${versionNumber}` : ''}`;
  let seenActive = false;
  for (;;) {
    const elapsed = Date.now() - pushedAt;
    if (elapsed > timeoutMs) {
      throw new KaggError(
        `Gave up waiting for ${label} after ${Math.round(elapsed / 1000)} s; the run goes on at Kaggle.`,
        {
          code: 'KAGGLE_RUN_TIMEOUT',
          action: `Check it later with \`kagg status ${formatRef(ref)}\` and fetch results with \`kagg output ${formatRef(ref)}\`.`,
        },
      );
    }
    await sleep(pollMs, options.signal);
    let s: SessionStatus;
    try {
      s = await client.getSessionStatus(ref);
    } catch (error) {
      // Right after a push the session may not be registered yet.
      if (isKaggError(error) && error.code === 'KAGGLE_NOT_FOUND' && error.details?.status === 404) {
        progress(`${label}: waiting for the session to start (${Math.round((Date.now() - pushedAt) / 1000)} s)`);
        continue;
      }
      throw error;
    }
    const secs = Math.round((Date.now() - pushedAt) / 1000);
    if (!isTerminal(s.status)) {
      seenActive = true;
      progress(`${label}: ${s.status.toLowerCase().replace(/_/g, ' ')} (${secs} s)`);
      continue;
    }
    const sameAsBefore =
      before !== undefined &&
      before !== null &&
      isTerminal(before.status as SessionStatus['status']) &&
      before.status === s.status &&
      before.failureMessage === s.failureMessage;
    if (!seenActive && sameAsBefore && Date.now() - pushedAt < staleGraceMs) {
      progress(`${label}: waiting for the new version to start (${secs} s)`);
      continue;
    }
    return s;
  }
}
