/**
 * The kernel picker of `kagg run`, `kagg pull` and `kagg output` given no ref. On a terminal: a
 * searchable list (type to filter, arrows, Enter, Esc to cancel), your kernels first, Tab to switch
 * to the popular ones by hotness and by voteCount (the official sort keys), loaded a page at a time
 * as the user scrolls. Off a terminal (piped, CI, `--json`) it never prompts: a usage error names
 * the argument to give. The prompt library (@inquirer/core) loads only when the list is shown.
 */
import { canPrompt } from '../command/progress.js';
import { KaggError, usageError } from '../errors/index.js';
import type { KaggleClient } from './client.js';
import { type ListOptions, listKernels } from './list.js';
import { createLimit } from './parallel.js';
import { kernelStatus } from './status.js';
import type { KernelInfo } from './types.js';

/** The lists Tab cycles through, in order. */
export const PICKER_LISTS = [
  { id: 'mine', label: 'your kernels', options: { mine: true, sortBy: 'dateRun' } },
  { id: 'hotness', label: 'popular: hottest', options: { sortBy: 'hotness' } },
  { id: 'voteCount', label: 'popular: most voted', options: { sortBy: 'voteCount' } },
] as const satisfies ReadonlyArray<{ id: string; label: string; options: ListOptions }>;

export type PickerListId = (typeof PICKER_LISTS)[number]['id'];

export interface PickerPage {
  kernels: KernelInfo[];
  /** Another page may follow (this one was full). */
  more: boolean;
}

export const PICKER_PAGE_SIZE = 20;

/** One page of a picker list, filtered server-side by `search` (Kaggle's own title search). */
export async function loadPickerPage(
  client: KaggleClient,
  list: PickerListId,
  search: string,
  page: number,
  pageSize = PICKER_PAGE_SIZE,
): Promise<PickerPage> {
  const options = PICKER_LISTS.find((l) => l.id === list)?.options ?? {};
  const { kernels } = await listKernels(client, { ...options, ...(search ? { search } : {}), page, pageSize });
  return { kernels, more: kernels.length === pageSize };
}

/** `2026-12-07T10:11:12Z` → `2026-12-07 10:11`; no run → `never run`. */
export function lastRunLabel(lastRunTime: string | undefined): string {
  if (!lastRunTime) return 'never run';
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(lastRunTime);
  return m ? `${m[1]} ${m[2]}` : lastRunTime;
}

function fit(text: string, width: number): string {
  if (width <= 0) return '';
  return text.length > width ? `${text.slice(0, Math.max(0, width - 1))}…` : text.padEnd(width);
}

/** One row of the list: ref, title, last run, status (of your runs) or votes (of popular kernels). */
export function pickerRow(kernel: KernelInfo, status: string | undefined, columns: number): string {
  const right = `${lastRunLabel(kernel.lastRunTime).padEnd(16)}  ${(status ?? `▲ ${kernel.totalVotes}`).padEnd(18)}`;
  const refWidth = Math.min(36, Math.max(12, Math.floor((columns - right.length - 8) / 2)));
  const titleWidth = Math.max(0, columns - right.length - refWidth - 8);
  return `${fit(kernel.ref, refWidth)}  ${fit(kernel.title, titleWidth)}  ${right}`;
}

export interface PickKernelOptions {
  /** The command's name and the argument it lacks, for the error off a terminal: `run`, `INPUT`. */
  command: string;
  argument: string;
  /** `--json` was given: never prompt. */
  json?: boolean;
  /** Streams of the prompt (tests); default the process's. */
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
}

/**
 * The ref the user picks from the list. Off a terminal, or under `--json`: a usage error (exit 2)
 * naming the argument. Esc or Ctrl-C: a `CANCELLED` error (exit 1), nothing done.
 */
export async function pickKernel(client: KaggleClient, options: PickKernelOptions): Promise<string> {
  if (!canPrompt({ json: options.json })) {
    throw usageError(`kagg ${options.command} needs ${options.argument}: a kernel ref (owner/slug) or Kaggle URL`, {
      code: 'MISSING_ARGUMENT',
      action: `give it, e.g. \`kagg ${options.command} alice/titanic-model\` (kagg lists kernels to pick from only on a terminal)`,
    });
  }
  const { kernelPrompt } = await import('./picker-prompt.js');
  let picked: string | null;
  try {
    picked = await kernelPrompt(
      {
        load: (list, search, page) => loadPickerPage(client, list, search, page),
        status: statusLoader(client),
      },
      {
        ...(options.input ? { input: options.input } : {}),
        ...(options.output ? { output: options.output } : {}),
      },
    );
  } catch (error) {
    if ((error as Error)?.name === 'ExitPromptError') picked = null;
    else throw error;
  }
  if (!picked) throw new KaggError('no kernel picked: cancelled', { code: 'CANCELLED' });
  return picked;
}

/** The status of a kernel's latest run, four at a time, `-` when Kaggle will not say. */
function statusLoader(client: KaggleClient): (ref: string) => Promise<string> {
  const limit = createLimit(4);
  return (ref) =>
    limit(async () => {
      const [owner, slug] = ref.split('/') as [string, string];
      try {
        return (await kernelStatus(client, { owner, slug })).status;
      } catch {
        return '-';
      }
    });
}
