/**
 * Progress for long work. On a TTY: a spinner line on stderr that redraws in place. Piped (or in CI):
 * one plain line per stage change, no escape codes. Silent in `--json` mode.
 */
import { redact } from '../config/redact.js';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export interface Progress {
  /** Starts or changes the current stage. */
  stage(text: string): void;
  /** Ends the progress display with a final line (or none). */
  stop(finalText?: string): void;
}

/** True when `stream` is a terminal a person watches: a TTY, and not in CI. The one TTY test of kagg. */
export function onTerminal(stream: { isTTY?: boolean } = process.stderr): boolean {
  return Boolean(stream.isTTY) && !process.env.CI;
}

/**
 * True when kagg may ask the user something: stdin and stdout are terminals, not CI, not `--json`.
 * Off a terminal a command never prompts; it fails with a usage error that names what to give.
 */
export function canPrompt(options: { json?: boolean } = {}): boolean {
  return !options.json && onTerminal(process.stdin) && onTerminal(process.stdout);
}

export function createProgress(options: {
  enabled: boolean;
  stream?: NodeJS.WriteStream;
  /** Only on a terminal: nothing at all when piped (for interactive paths whose output is data). */
  terminalOnly?: boolean;
}): Progress {
  const stream = options.stream ?? process.stderr;
  const tty = onTerminal(stream);
  if (!options.enabled || (options.terminalOnly && !tty)) return { stage() {}, stop() {} };
  let current = '';
  let timer: NodeJS.Timeout | undefined;
  let frame = 0;
  const draw = () => {
    stream.write(`\r\x1b[2K${FRAMES[frame++ % FRAMES.length]} ${current}`);
  };
  return {
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
    },
  };
}
