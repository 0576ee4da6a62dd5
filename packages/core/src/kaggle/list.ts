/** `kagg list`: ListKernels with every filter of contracts/kaggle-api.md §2.3. */
import { usageError } from '../errors/index.js';
import type { KaggleClient } from './client.js';
import { normalizeEnum } from './parse.js';
import type { KernelInfo, ListKernelsRequest } from './types.js';

/** `--sort-by` values as users of the official CLI type them → the RPC enum. */
export const SORT_BY: Record<string, string> = {
  hotness: 'HOTNESS',
  commentCount: 'COMMENT_COUNT',
  dateCreated: 'DATE_CREATED',
  dateRun: 'DATE_RUN',
  relevance: 'RELEVANCE',
  scoreAscending: 'SCORE_ASCENDING',
  scoreDescending: 'SCORE_DESCENDING',
  viewCount: 'VIEW_COUNT',
  voteCount: 'VOTE_COUNT',
};
export const KERNEL_TYPES = ['all', 'script', 'notebook'] as const;
export const LANGUAGES = ['all', 'python', 'r', 'sqlite', 'julia'] as const;
export const OUTPUT_TYPES = ['all', 'visualization', 'data'] as const;

export interface ListOptions {
  mine?: boolean;
  user?: string;
  search?: string;
  competition?: string;
  dataset?: string;
  parent?: string;
  sortBy?: string;
  kernelType?: string;
  language?: string;
  outputType?: string;
  page?: number;
  pageSize?: number;
}

export interface ListResult {
  kernels: KernelInfo[];
  page: number;
  pageSize: number;
  /** Values kagg adjusted, as the official CLI would (e.g. --page-size over 100 clamped to 100). */
  warnings: string[];
}

/** The ListKernels body for these options (the field set and order the official SDK sends). */
export function listKernelsRequest(options: ListOptions): ListKernelsRequest {
  const page = options.page ?? 1;
  const pageSize = options.pageSize ?? 20;
  if (!Number.isInteger(page) || page < 1) throw usageError(`--page must be 1 or more (got ${page}).`);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100)
    throw usageError(`--page-size must be between 1 and 100 (got ${pageSize}).`);
  let sortBy: string | undefined;
  if (options.sortBy) {
    sortBy = SORT_BY[options.sortBy] ?? normalizeEnum(options.sortBy, Object.values(SORT_BY));
    if (!sortBy)
      throw usageError(`--sort-by must be one of ${Object.keys(SORT_BY).join(', ')} (got "${options.sortBy}").`);
  }
  if (sortBy === 'RELEVANCE' && !options.search) throw usageError('--sort-by relevance needs a --search term.');
  if (options.dataset && !/^[^/\s]+\/[^/\s]+$/.test(options.dataset)) {
    throw usageError(`--dataset must be "owner/dataset-slug" (got "${options.dataset}").`);
  }
  if (options.parent && !/^[^/\s]+\/[^/\s]+$/.test(options.parent)) {
    throw usageError(`--parent must be "owner/kernel-slug" (got "${options.parent}").`);
  }
  const oneOf = (flag: string, value: string | undefined, allowed: readonly string[]): string => {
    const v = (value ?? 'all').toLowerCase();
    if (!allowed.includes(v)) throw usageError(`--${flag} must be one of ${allowed.join(', ')} (got "${value}").`);
    return v;
  };
  const req: ListKernelsRequest = {
    competition: options.competition ?? '',
    dataset: options.dataset ?? '',
    parentKernel: options.parent ?? '',
    group: options.mine ? 'PROFILE' : 'EVERYONE',
    kernelType: oneOf('kernel-type', options.kernelType, KERNEL_TYPES),
    language: oneOf('language', options.language, LANGUAGES),
    outputType: oneOf('output-type', options.outputType, OUTPUT_TYPES),
    search: options.search ?? '',
    user: options.user ?? '',
    page,
    pageSize,
  };
  // HOTNESS is the enum's default: proto JSON leaves it out.
  if (sortBy && sortBy !== 'HOTNESS') {
    const { page: p, pageSize: s, user, ...rest } = req;
    return { ...rest, sortBy, user, page: p, pageSize: s };
  }
  return req;
}

export async function listKernels(client: KaggleClient, options: ListOptions = {}): Promise<ListResult> {
  const warnings: string[] = [];
  let pageSize = options.pageSize;
  if (pageSize !== undefined && Number.isInteger(pageSize) && pageSize > 100) {
    warnings.push(`--page-size ${pageSize} is over Kaggle's maximum; 100 is used.`);
    pageSize = 100;
  }
  const request = listKernelsRequest({ ...options, ...(pageSize !== undefined ? { pageSize } : {}) });
  const kernels = await client.listKernels(request);
  return { kernels, page: request.page, pageSize: request.pageSize, warnings };
}
