/**
 * The one error type kagg raises for users. It carries the exit code (1 failure, 2 usage) and, where
 * there is one, an action the user can take. The base command renders it (text or JSON) and exits.
 */
import { isTargetError } from '@kagg/plugin-api';

/** 1 failure, 2 usage, 70 a bug in a plugin (sysexits' EX_SOFTWARE). */
export type ExitCode = 1 | 2 | typeof PLUGIN_BUG_EXIT;

/** The exit code when a plugin throws something other than a `TargetError`: a bug in that plugin. */
export const PLUGIN_BUG_EXIT = 70;

export interface KaggErrorOptions {
  /** Stable machine-readable code, e.g. `NOTEBOOK_INVALID_JSON`, `REGISTRY_CORRUPT`. */
  code?: string;
  /** 1 = the work failed (default), 2 = the command was used wrongly. */
  exitCode?: ExitCode;
  /** What to do about it: "run `kagg doctor`", "set KAGGLE_CONFIG_DIR". */
  action?: string;
  /** Extra facts for `--json` output (never secrets). */
  details?: Record<string, unknown>;
  cause?: unknown;
}

export class KaggError extends Error {
  readonly code: string;
  readonly exitCode: ExitCode;
  readonly action: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(message: string, options: KaggErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KaggError';
    this.code = options.code ?? 'FAILED';
    this.exitCode = options.exitCode ?? 1;
    this.action = options.action;
    this.details = options.details;
  }
}

/** A usage error (exit 2): bad flags, bad arguments, an input kagg cannot accept. */
export function usageError(message: string, options: Omit<KaggErrorOptions, 'exitCode'> = {}): KaggError {
  return new KaggError(message, { code: 'USAGE', ...options, exitCode: 2 });
}

/** kagg's own error, or a plugin's `TargetError` (same shape, rendered the same way). */
export function isKaggError(value: unknown): value is KaggError {
  return (
    (value instanceof Error && (value as { name?: string }).name === 'KaggError' && 'exitCode' in value) ||
    isTargetError(value)
  );
}

/**
 * What a plugin threw that is not a `TargetError` (a TypeError, an SDK's raw error): an internal
 * error of that plugin, with its own code and exit code, the original message, and the original stack
 * (printed with KAGG_DEBUG=1).
 */
export function pluginBug(plugin: string, operation: string, error: unknown): KaggError {
  const bug = new KaggError(
    `internal error in ${plugin} (${operation}): ${messageOf(error)} — this is a bug in ${plugin}`,
    {
      code: 'PLUGIN_BUG',
      exitCode: PLUGIN_BUG_EXIT,
      action: `report it to the maintainers of ${plugin}, with the output of the same command run with KAGG_DEBUG=1`,
      details: { plugin, operation },
      cause: error,
    },
  );
  if (error instanceof Error && error.stack) bug.stack = error.stack;
  return bug;
}

/** The message of anything thrown. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
