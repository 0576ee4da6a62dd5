/**
 * Kernel references as users type them: `owner/slug`, a bare `slug` (the current user's),
 * `https://www.kaggle.com/code/owner/slug` (also `/owner/slug`, the old form, and `/c/…` kernels are
 * not a thing). Competition and dataset URLs are refused with a message that says what they are.
 */
import { usageError } from '../errors/index.js';

export interface KernelRef {
  /** Undefined for a bare slug: the current user's kernel. */
  owner: string | undefined;
  slug: string;
  /** `owner/slug/N`: version N (sent as versionLabel "vN"); absent: the latest. */
  version?: number;
}

export interface FullKernelRef {
  owner: string;
  slug: string;
  version?: number;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
const SLUG = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
/** First path parts of kaggle.com that are not user names. */
const NOT_KERNELS: Record<string, string> = {
  c: 'a competition',
  competitions: 'a competition',
  datasets: 'a dataset',
  d: 'a dataset',
  models: 'a model',
  m: 'a model',
  discussions: 'a discussion',
  discussion: 'a discussion',
  learn: 'a course',
  docs: 'a documentation page',
  organizations: 'an organization',
  benchmarks: 'a benchmark',
  settings: 'a settings page',
};

/**
 * Parses a kernel reference. Returns `null` when `input` is not shaped like one (a file name with a
 * dot, a path with more parts, a URL of another site), so callers can try other kinds of input.
 * Throws a usage error for a kaggle.com URL that points at something other than a kernel.
 */
export function parseKernelRef(input: string): KernelRef | null {
  const text = input.trim();
  if (text === '') return null;
  if (/^https?:\/\//i.test(text)) return parseKaggleUrl(text);
  const parts = text.split('/');
  if (parts.length === 1) return SLUG.test(text) ? { owner: undefined, slug: text } : null;
  if (parts.length === 2) {
    const [owner = '', slug = ''] = parts;
    return NAME.test(owner) && SLUG.test(slug) ? { owner, slug } : null;
  }
  if (parts.length === 3) {
    const [owner = '', slug = '', version = ''] = parts;
    if (!NAME.test(owner) || !SLUG.test(slug) || !/^[1-9]\d*$/.test(version)) return null;
    return { owner, slug, version: Number(version) };
  }
  return null;
}

function parseKaggleUrl(text: string): KernelRef | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  const host = url.hostname.toLowerCase();
  if (host !== 'kaggle.com' && host !== 'www.kaggle.com') return null;
  const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  let rest = parts;
  if (parts[0] === 'code') rest = parts.slice(1);
  else if (parts[0] && NOT_KERNELS[parts[0]]) {
    throw usageError(`${text} is ${NOT_KERNELS[parts[0]]} URL, not a kernel (notebook) URL.`, {
      code: 'KAGGLE_URL_NOT_A_KERNEL',
      action: 'Use a kernel URL like https://www.kaggle.com/code/<owner>/<slug> or a ref like owner/slug.',
    });
  }
  const [owner, slug] = rest;
  if (!owner || !slug || !NAME.test(owner) || !SLUG.test(slug)) {
    throw usageError(`${text} is not a Kaggle kernel URL.`, {
      code: 'KAGGLE_URL_NOT_A_KERNEL',
      action: 'Use a kernel URL like https://www.kaggle.com/code/<owner>/<slug> or a ref like owner/slug.',
    });
  }
  // `/code/owner/slug/edit`, `/code/owner/slug/output`, `/code/owner/slug/log`… all name the same kernel.
  return { owner, slug };
}

/** Like `parseKernelRef`, but an input that is not a ref is a usage error naming it. */
export function requireKernelRef(input: string): KernelRef {
  const ref = parseKernelRef(input);
  if (!ref) {
    throw usageError(`"${input}" is not a Kaggle kernel reference.`, {
      code: 'KAGGLE_BAD_REF',
      action:
        'Use owner/slug (owner/slug/N for version N), a bare slug for your own kernel, or https://www.kaggle.com/code/owner/slug.',
    });
  }
  return ref;
}

export function formatRef(ref: FullKernelRef): string {
  return `${ref.owner}/${ref.slug}${ref.version ? `/${ref.version}` : ''}`;
}
