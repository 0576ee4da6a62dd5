/**
 * The `run` operation of a batch item, exactly once across crashes: like `kagg run` (push a new
 * version, wait for its session, download outputs and log), but the push is bracketed by state
 * records:
 *   `pushing` {ref, versionBefore, statusBefore}   appended (fsynced) BEFORE SaveKernel is sent
 *   `pushed`  {ref, version, url}                   appended after Kaggle answered
 * Resuming an item found in `pushed` only waits and downloads. Resuming one found in `pushing` asks
 * Kaggle for the kernel's current version (GetKernel `currentVersionNumber`): if it moved past
 * `versionBefore`, the push happened and is not repeated. A push still in flight when the process
 * died may land a moment later, so a `pushing` record younger than the settle time
 * (`KAGG_BATCH_PUSH_SETTLE_MS`, default 10 s) is checked again after that time before pushing.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { isKaggError, KaggError } from '../errors/index.js';
import { sleep } from '../http/retry.js';
import type { KaggleClient } from '../kaggle/client.js';
import { downloadKernelOutputs } from '../kaggle/output.js';
import { logToText } from '../kaggle/parse.js';
import { preparePush, sendPush } from '../kaggle/push.js';
import { type FullKernelRef, formatRef, parseKernelRef } from '../kaggle/ref.js';
import { stageKernelForPush, waitForRun } from '../kaggle/run.js';
import type { SessionStatus } from '../kaggle/types.js';
import type { ItemRecord, PlannedItem } from './types.js';

export interface RunItemContext {
  client: KaggleClient;
  item: PlannedItem;
  /** The item's last record from an earlier run of this batch (resume). */
  previous: ItemRecord | undefined;
  /** Appends a record for this item (state, extra fields). */
  record: (fields: Omit<ItemRecord, 'type' | 'index' | 'at' | 'pid'>) => Promise<void>;
  /** `--path` of the batch. */
  basePath: string | undefined;
  cwd: string;
  signal: AbortSignal;
  progress?: (text: string) => void;
}

const envMs = (name: string, fallback: number): number => {
  const raw = process.env[name];
  const v = Number(raw);
  return raw !== undefined && raw !== '' && Number.isFinite(v) && v >= 0 ? v : fallback;
};

/** The kernel's latest version number, or null when it has none (never saved, or unknown). */
export async function currentVersion(client: KaggleClient, ref: FullKernelRef): Promise<number | null> {
  try {
    const { metadata } = await client.getKernel(ref);
    return metadata.currentVersionNumber ?? null;
  } catch (error) {
    if (isKaggError(error) && error.code === 'KAGGLE_NOT_FOUND' && error.details?.status === 404) return null;
    throw error;
  }
}

async function statusOrNull(client: KaggleClient, ref: FullKernelRef): Promise<SessionStatus | null> {
  try {
    return await client.getSessionStatus(ref);
  } catch (error) {
    if (isKaggError(error) && error.code === 'KAGGLE_NOT_FOUND') return null;
    throw error;
  }
}

function refOf(text: string | undefined): FullKernelRef | undefined {
  const r = text ? parseKernelRef(text) : null;
  return r?.owner ? { owner: r.owner, slug: r.slug } : undefined;
}

interface Pushed {
  ref: FullKernelRef;
  version: number | null;
  url: string;
  statusBefore: { status: string; failureMessage: string } | null;
  pushedAt: number;
  recovered: boolean;
}

/** Decides, for an item found in `pushing`, whether its push reached Kaggle. */
async function pushLanded(ctx: RunItemContext, previous: ItemRecord): Promise<number | null> {
  const ref = refOf(previous.ref);
  if (!ref) {
    throw new KaggError(
      `kagg was stopped while pushing ${ctx.item.input} and cannot tell whether the push reached Kaggle (the kernel has no owner/slug id)`,
      { code: 'BATCH_PUSH_UNKNOWN', action: `check with \`kagg status\`, then run it by hand if needed` },
    );
  }
  const before = previous.versionBefore ?? null;
  const moved = (v: number | null) => v !== null && (before === null || v > before);
  let now = await currentVersion(ctx.client, ref);
  if (moved(now)) return now;
  const settle = envMs('KAGG_BATCH_PUSH_SETTLE_MS', 10_000);
  const age = Date.now() - Date.parse(previous.at);
  if (age < settle) {
    ctx.progress?.(`${formatRef(ref)}: checking whether the interrupted push landed`);
    await sleep(settle - age, ctx.signal);
    now = await currentVersion(ctx.client, ref);
    if (moved(now)) return now;
  }
  return null;
}

async function push(ctx: RunItemContext): Promise<Pushed> {
  const { client, item } = ctx;
  let workDir: string | undefined;
  try {
    let pushPath = item.input;
    if (!path.isAbsolute(item.input)) {
      workDir = await stageKernelForPush(client, item.input, (text) => ctx.progress?.(text));
      pushPath = workDir;
    }
    const prepared = await preparePush(client, pushPath);
    const idRef = prepared.metadata.id ? parseKernelRef(prepared.metadata.id) : null;
    const ref = idRef ? await client.resolve(idRef) : undefined;
    const versionBefore = ref ? await currentVersion(client, ref) : null;
    const before = ref ? await statusOrNull(client, ref) : null;
    const statusBefore = before ? { status: before.status, failureMessage: before.failureMessage } : null;
    await ctx.record({
      state: 'pushing',
      ...(ref ? { ref: formatRef(ref) } : {}),
      versionBefore,
      statusBefore,
    });
    ctx.progress?.(`pushing ${ref ? formatRef(ref) : item.input}`);
    const pushed = await sendPush(client, prepared);
    const pushedRef = refOf(pushed.ref) ?? ref;
    if (!pushedRef) throw new KaggError(`Kaggle did not say which kernel ${item.input} was pushed to`);
    await ctx.record({
      state: 'pushed',
      ref: formatRef(pushedRef),
      version: pushed.versionNumber,
      url: pushed.url,
      statusBefore,
    });
    return {
      ref: pushedRef,
      version: pushed.versionNumber,
      url: pushed.url,
      statusBefore,
      pushedAt: Date.now(),
      recovered: false,
    };
  } finally {
    if (workDir) await rm(workDir, { recursive: true, force: true });
  }
}

function outputDirOf(ctx: RunItemContext, ref: FullKernelRef): string {
  if (ctx.item.path) return ctx.item.path;
  if (ctx.basePath) return path.join(ctx.basePath, ref.owner, ref.slug);
  return path.resolve(ctx.cwd, `${ref.slug}-output`);
}

export async function runItem(ctx: RunItemContext): Promise<Record<string, unknown>> {
  const { previous } = ctx;
  let run: Pushed | undefined;
  if (previous?.state === 'pushed') {
    const ref = refOf(previous.ref);
    if (ref) {
      run = {
        ref,
        version: previous.version ?? null,
        url: previous.url ?? `https://www.kaggle.com/code/${formatRef(ref)}`,
        statusBefore: previous.statusBefore ?? null,
        pushedAt: Date.parse(previous.at),
        recovered: true,
      };
    }
  } else if (previous?.state === 'pushing') {
    const landed = await pushLanded(ctx, previous);
    if (landed !== null) {
      const ref = refOf(previous.ref) as FullKernelRef;
      const url = `https://www.kaggle.com/code/${formatRef(ref)}`;
      await ctx.record({
        state: 'pushed',
        ref: formatRef(ref),
        version: landed,
        url,
        statusBefore: previous.statusBefore ?? null,
        recovered: true,
      });
      run = {
        ref,
        version: landed,
        url,
        statusBefore: previous.statusBefore ?? null,
        pushedAt: Date.parse(previous.at),
        recovered: true,
      };
    }
  }
  run ??= await push(ctx);

  const status = await waitForRun(
    ctx.client,
    run.ref,
    { versionNumber: run.version, before: run.statusBefore, pushedAt: run.pushedAt },
    { signal: ctx.signal, timeoutMs: Number.POSITIVE_INFINITY },
    (text) => ctx.progress?.(text),
  );
  const outputDir = outputDirOf(ctx, run.ref);
  const version = run.version ? ` version ${run.version}` : '';
  if (status.status === 'COMPLETE') {
    ctx.progress?.(`downloading outputs of ${formatRef(run.ref)}`);
    const outputs = await downloadKernelOutputs(ctx.client, run.ref, outputDir);
    const failed = outputs.files.filter((f) => f.outcome === 'refused' || f.outcome === 'failed');
    if (failed.length > 0) {
      throw new KaggError(
        `run of ${formatRef(run.ref)}${version} completed, but ${failed.length} output file(s) could not be saved: ${failed.map((f) => f.error).join('; ')}`,
        { code: 'KAGGLE_OUTPUT_FAILED' },
      );
    }
    return {
      ref: formatRef(run.ref),
      version: run.version,
      url: run.url,
      status: status.status,
      outputDir,
      files: outputs.files.map((f) => f.path ?? f.fileName),
      log: outputs.log,
      resumedAfterPush: run.recovered,
    };
  }
  let logTail = '';
  try {
    const page = await ctx.client.listSessionOutput(run.ref, undefined, 1);
    logTail = logToText(page.log).replace(/\s+$/, '').split('\n').slice(-5).join(' | ');
  } catch {
    // the failure itself is what matters
  }
  throw new KaggError(
    `run of ${formatRef(run.ref)}${version} ${status.status === 'ERROR' ? 'failed' : 'was cancelled'}${status.failureMessage ? `: ${status.failureMessage}` : ''}${logTail ? ` (log: ${logTail})` : ''}`,
    { code: status.status === 'ERROR' ? 'KAGGLE_RUN_FAILED' : 'KAGGLE_RUN_CANCELLED' },
  );
}
