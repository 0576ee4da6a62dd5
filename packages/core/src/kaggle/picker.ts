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
import { listKernels } from './list.js';
import { createLimit } from './parallel.js';
import { PICKER_LISTS, PICKER_PAGE_SIZE, type PickerListId, type PickerPage } from './picker-model.js';
import { kernelStatus } from './status.js';

export {
  lastRunLabel,
  PICKER_LISTS,
  PICKER_PAGE_SIZE,
  type PickerListId,
  type PickerPage,
  pickerRow,
} from './picker-model.js';

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
