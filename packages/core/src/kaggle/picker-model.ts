/**
 * The picker's lists and rows, in a leaf module: the picker (picker.ts) and its prompt
 * (picker-prompt.ts, loaded only when the list is shown) both use them.
 */
import type { ListOptions } from './list.js';
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
