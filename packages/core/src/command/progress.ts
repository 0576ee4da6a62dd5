/**
 * Progress for long work. On a TTY: a spinner line on stderr that redraws in place. Piped (or in CI,
 * or with TERM=dumb): one plain line per stage change, no escape codes. Silent in `--json` mode.
 */
import { redact } from '../config/redact.js';
import { usageError } from '../errors/index.js';
import type { DownloadProgress } from '../http/client.js';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export interface Progress {
  /** Starts or changes the current stage. */
  stage(text: string): void;
  /** Ends the progress display with a final line (or none). */
  stop(finalText?: string): void;
  /** A download's progress: bytes, rate and time left join the spinner line on a TTY; nothing off one. */
  transfer(progress: DownloadProgress): void;
}

/** True when `stream` is a terminal a person watches: a TTY, and not in CI. The one TTY test of kagg. */
export function onTerminal(stream: { isTTY?: boolean } = process.stderr): boolean {
  return Boolean(stream.isTTY) && !process.env.CI;
}

/**
 * True when a display may redraw lines in place on `stream` (spinners, live bars and tables): a
 * terminal that moves its cursor, so not `TERM=dumb` (Emacs shells, some CI logs). The one decision
 * for every live display; elsewhere they print plain lines.
 */
export function canRedraw(stream: { isTTY?: boolean } = process.stderr): boolean {
  return onTerminal(stream) && process.env.TERM !== 'dumb';
}

/**
 * True when kagg may ask the user something: stdin and stdout are terminals, not CI, not `--json`.
 * Off a terminal a command never prompts; it fails with a usage error that names what to give.
 */
export function canPrompt(options: { json?: boolean } = {}): boolean {
  return !options.json && onTerminal(process.stdin) && onTerminal(process.stdout);
}

/**
 * A destructive command's consent: `-y` gives it; else a [y/N] question on the terminal (stderr), and
 * off a terminal a usage error (exit 2) saying to add -y. False when the user answers no.
 */
export async function confirm(question: string, options: { yes: boolean; refused: string }): Promise<boolean> {
  if (options.yes) return true;
  if (!process.stdin.isTTY || !process.stderr.isTTY)
    throw usageError(`${options.refused}: no terminal to confirm on.`, {
      action: 'Add -y to go ahead without asking.',
    });
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const answer = await rl.question(`${question} [y/N] `).finally(() => rl.close());
  return /^y(es)?$/i.test(answer.trim());
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/** "3.2 MB of 8.0 MB, 4.1 MB/s, 2 s left" for every download under way, summed. */
function transferText(transfers: Iterable<DownloadProgress>, elapsedMs: number): string {
  let done = 0;
  let total = 0;
  let known = true;
  for (const t of transfers) {
    done += t.transferred;
    if (t.total === undefined) known = false;
    else total += t.total;
  }
  const rate = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
  const parts = [known ? `${megabytes(done)} of ${megabytes(total)}` : megabytes(done)];
  if (rate > 0) parts.push(`${megabytes(rate)}/s`);
  if (known && rate > 0) parts.push(`${Math.ceil((total - done) / rate)} s left`);
  return parts.join(', ');
}

export function createProgress(options: {
  enabled: boolean;
  stream?: NodeJS.WriteStream;
  /** Only on a terminal: nothing at all when piped (for interactive paths whose output is data). */
  terminalOnly?: boolean;
  /** Whether the stream is a terminal that redraws in place (default: canRedraw(stream)). */
  tty?: boolean;
}): Progress {
  const stream = options.stream ?? process.stderr;
  if (!options.enabled || (options.terminalOnly && !(options.tty ?? onTerminal(stream))))
    return { stage() {}, stop() {}, transfer() {} };
  const tty = options.tty ?? canRedraw(stream);
  let current = '';
  let timer: NodeJS.Timeout | undefined;
  let frame = 0;
  const transfers = new Map<string, DownloadProgress>();
  let transferStart = 0;
  let lastDraw = 0;
  const draw = () => {
    const suffix =
      transfers.size > 0 ? ` (${transferText(transfers.values(), performance.now() - transferStart)})` : '';
    stream.write(`\r\x1b[2K${FRAMES[frame++ % FRAMES.length]} ${current}${suffix}`);
  };
  return {
    transfer(progress) {
      if (!tty) return;
      if (transfers.size === 0) transferStart = performance.now();
      transfers.set(progress.url, progress);
      const now = performance.now();
      // Redrawn at most 10 times a second, and once when a download completes.
      if (now - lastDraw >= 100 || progress.transferred === progress.total) {
        lastDraw = now;
        draw();
      }
    },
    stage(text: string) {
      const next = redact(text);
      if (next === current) return;
      current = next;
      if (!tty) {
        stream.write(`${current}\n`);
        return;
      }
      if (!timer) {
        timer = setInterval(draw, 80);
        timer.unref();
      }
      draw();
    },
    stop(finalText?: string) {
      if (timer) {
        clearInterval(timer);
        timer = undefined;
        stream.write('\r\x1b[2K');
      }
      if (finalText) stream.write(`${redact(finalText)}\n`);
      current = '';
      transfers.clear();
    },
  };
}
