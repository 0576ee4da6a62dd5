/** A limit on concurrent work: `limit(fn)` runs `fn` when fewer than `n` are running (first come, first served). */
export function createLimit(n: number): <T>(fn: () => Promise<T>) => Promise<T> {
  const max = Math.max(1, Math.floor(n));
  let active = 0;
  const queue: Array<() => void> = [];
  const next = () => {
    if (active >= max) return;
    const start = queue.shift();
    if (start) {
      active++;
      start();
    }
  };
  return <T>(fn: () => Promise<T>) =>
    new Promise<T>((resolve, reject) => {
      queue.push(() => {
        fn()
          .then(resolve, reject)
          .finally(() => {
            active--;
            next();
          });
      });
      next();
    });
}

/** A kernel that could not be processed in a many-kernel command (pull, output). */
export interface KernelFailure {
  ref: string;
  error: string;
  code: string;
  /** What the user can do about it, when the error said. */
  action?: string;
}

/** The actions of some failures, once each, for the error that sums them up. */
export function failureActions(failures: KernelFailure[]): string | undefined {
  const actions = [...new Set(failures.flatMap((f) => (f.action ? [f.action] : [])))];
  return actions.length > 0 ? actions.join(' ') : undefined;
}

/** The failure entry for a rejected per-kernel promise. */
export function kernelFailure(
  ref: { owner?: string | undefined; slug: string } | undefined,
  reason: unknown,
): KernelFailure {
  const action = (reason as { action?: unknown })?.action;
  return {
    ref: ref ? (ref.owner ? `${ref.owner}/${ref.slug}` : ref.slug) : '?',
    error: (reason as Error)?.message ?? String(reason),
    code: (reason as { code?: string })?.code ?? 'FAILED',
    ...(typeof action === 'string' && action ? { action } : {}),
  };
}
