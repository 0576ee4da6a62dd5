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

export function createProgress(options: { enabled: boolean; stream?: NodeJS.WriteStream }): Progress {
  const stream = options.stream ?? process.stderr;
  if (!options.enabled) return { stage() {}, stop() {} };
  const tty = Boolean(stream.isTTY) && !process.env.CI;
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
