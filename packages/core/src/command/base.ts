import { Command } from '@oclif/core/command';
import { redact, redactValue } from '../config/redact.js';
import { isKaggError, messageOf } from '../errors/index.js';
import { createProgress, type Progress } from './progress.js';

/** Exit code after Ctrl-C (128 + SIGINT), as shells report it; the SIGINT handler sets it. */
export const INTERRUPTED_EXIT = 130;

/**
 * The base of every kagg command. It owns `--json` (oclif's enableJsonFlag), the error rendering and
 * the exit-code table (0 success, 1 failure, 2 usage), and the stdout/stderr split: data on stdout,
 * messages and progress on stderr, every line redacted.
 *
 * A command's `run()` returns its result object; with `--json` kagg prints it as JSON on stdout.
 * Errors print as `{"error": {"code", "message", "action"}}` in JSON mode, as text on stderr otherwise.
 */
export abstract class KaggCommand<T> extends Command {
  static override enableJsonFlag = true;

  private progressInstance: Progress | undefined;

  /** A message for the user on stderr (never in `--json` mode). */
  info(message: string): void {
    if (!this.jsonEnabled()) process.stderr.write(`${redact(message)}\n`);
  }

  /** Every warning this command gave, redacted, once each: its `--json` result carries them. */
  private readonly warned = new Set<string>();

  /**
   * A warning: on stderr, or under `--json` in the result's `warnings` (every object result has that
   * field, so a script reads what kagg adjusted or skipped without parsing stderr).
   */
  warning(message: string): void {
    const line = redact(message);
    this.warned.add(line);
    if (!this.jsonEnabled()) process.stderr.write(`Warning: ${line}\n`);
  }

  /** Data for humans on stdout (suppressed in `--json` mode, where the result object is printed). */
  protected out(text: string): void {
    if (!this.jsonEnabled()) process.stdout.write(`${redact(text)}\n`);
  }

  /**
   * Data as it is (a log, a file's text) on stdout, redacted: every command writes stdout through
   * this, `out` or its result (test/architecture.test.ts checks). Printed in `--json` mode too:
   * guard it where the JSON result carries the same data.
   */
  protected write(text: string): void {
    process.stdout.write(redact(text));
  }

  /** The progress display of this command (spinner on a TTY, plain lines when piped, silent in JSON). */
  get progress(): Progress {
    this.progressInstance ??= createProgress({ enabled: !this.jsonEnabled() });
    return this.progressInstance;
  }

  protected override toSuccessJson(result: unknown): unknown {
    return redactValue(withWarnings(result, this.warned));
  }

  override logJson(json: unknown): void {
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  }

  override async catch(err: Error & { oclif?: { exit?: number }; exitCode?: number }): Promise<unknown> {
    this.progressInstance?.stop();
    renderError(err, { json: this.jsonEnabled(), command: this.id?.replaceAll(':', ' ') });
    return undefined;
  }

  abstract override run(): Promise<T>;
}

/**
 * An object result with `warnings`: the ones it carries (deploy's, package's), then those the command
 * gave, each once. Any other result (a list, a text) is left as it is.
 */
function withWarnings(result: unknown, warned: Iterable<string>): unknown {
  if (typeof result !== 'object' || result === null || Array.isArray(result)) return result;
  const own = (result as { warnings?: unknown }).warnings;
  const carried = Array.isArray(own) ? own.filter((w): w is string => typeof w === 'string').map((w) => redact(w)) : [];
  return { ...result, warnings: [...new Set([...carried, ...warned])] };
}

/**
 * Renders an error the one kagg way and sets the exit code: `{"error": {code, message, action}}` on
 * stdout under `--json`, `Error: …` and `  → action` on stderr otherwise; every line redacted.
 */
export function renderError(
  err: Error & { oclif?: { exit?: number }; exitCode?: number },
  opts: { json: boolean; command?: string | undefined },
): void {
  // oclif's parse errors (bad flag values included, which oclif's exit-code table misses) are usage errors.
  // Ctrl-C (the SIGINT handler set 130): whatever the interrupted work threw, the exit is 130.
  const interrupted = process.exitCode === INTERRUPTED_EXIT;
  const exit = interrupted
    ? INTERRUPTED_EXIT
    : isKaggError(err)
      ? err.exitCode
      : Object.hasOwn(err, 'parse')
        ? 2
        : (err.oclif?.exit ?? (typeof err.exitCode === 'number' ? err.exitCode : 1));
  if (exit === 0) return; // oclif's `this.exit(0)`
  process.exitCode = exit;
  const code = interrupted ? 'INTERRUPTED' : isKaggError(err) ? err.code : exit === 2 ? 'USAGE' : 'FAILED';
  const parse = !isKaggError(err) && exit === 2;
  const action = isKaggError(err)
    ? err.action
    : parse && opts.command
      ? `see \`kagg ${opts.command} --help\``
      : undefined;
  const message = redact(parse ? parseMessage(messageOf(err)) : messageOf(err));
  if (opts.json) {
    const details = isKaggError(err) && err.details ? { details: redactValue(err.details) } : {};
    process.stdout.write(
      `${JSON.stringify({ error: { code, message, ...(action ? { action } : {}), ...details } }, null, 2)}\n`,
    );
  } else {
    process.stderr.write(`Error: ${message}\n`);
    if (action) process.stderr.write(`  → ${redact(action)}\n`);
    if (process.env.KAGG_DEBUG && err.stack) process.stderr.write(`${redact(err.stack)}\n`);
  }
}

/**
 * oclif's parse errors end with notes for every command that has a repeatable flag ("Note: --set,
 * --env … allow multiple values …") and "See more help with --help": noise for a missing argument.
 * The help pointer becomes the error's action instead.
 */
function parseMessage(message: string): string {
  return message
    .replace(/\n+Note: [^\n]*allow multiple values[\s\S]*?beginning of arguments\.?/, '')
    .replace(/\n+See more help with --help\s*$/, '')
    .replace(/^Parsing (--[\w-]+)\s*\n\s*/, '$1: ')
    .trim();
}
