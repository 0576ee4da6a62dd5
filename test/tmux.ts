/**
 * A real pseudo-terminal for end-to-end tests: one tmux server on a private socket runs kagg in a
 * pane; tests type keys into it and read its screen. Waits poll the screen up to a deadline (never
 * a fixed sleep). `npm test` provisions tmux (scripts/prerequisites.mjs).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { BIN, ROOT } from './helpers.ts';

const EXIT_MARK = /\[kagg exited (\d+)\]/;

export class Terminal {
  private readonly socket: string;

  /** Starts `kagg ...args` in a new pane (140×40) with `env`; the pane stays open after kagg exits. */
  constructor(dir: string, args: string[], env: NodeJS.ProcessEnv, options: { cwd?: string } = {}) {
    this.socket = path.join(dir, `tmux-${process.pid}-${Math.random().toString(36).slice(2, 8)}.sock`);
    const quoted = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
    // The marker is printed by the shell once kagg has exited, then the pane idles until kill().
    const command = `${quoted}; printf '\\n[kagg exited %s]\\n' $?; exec sleep 3600`;
    const { CI: _ci, TMUX: _tmux, ...rest } = env;
    this.tmux(
      [
        '-f',
        '/dev/null',
        'new-session',
        '-d',
        '-s',
        'kagg',
        '-x',
        '140',
        '-y',
        '40',
        '-c',
        options.cwd ?? ROOT,
        command,
      ],
      { ...rest, TERM: 'xterm-256color' },
    );
  }

  private tmux(args: string[], env: NodeJS.ProcessEnv = process.env): string {
    const r = spawnSync('tmux', ['-S', this.socket, ...args], { env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`tmux ${args[0]} failed: ${r.stderr}`);
    return r.stdout;
  }

  /** Types text as it is (no key names). */
  type(text: string): void {
    this.tmux(['send-keys', '-t', 'kagg', '-l', text]);
  }

  /** Presses named keys: Enter, Escape, Tab, Down, Up, BSpace, C-d, C-c, C-u. */
  press(...keys: string[]): void {
    this.tmux(['send-keys', '-t', 'kagg', ...keys]);
  }

  /** The visible screen and the scrollback, as text. */
  screen(): string {
    return this.tmux(['capture-pane', '-p', '-J', '-S', '-200', '-t', 'kagg']);
  }

  /** Polls the screen until `test` passes; fails with the screen after `timeoutMs`. */
  async waitFor(test: RegExp | ((screen: string) => boolean), timeoutMs = 30_000): Promise<string> {
    const ok = typeof test === 'function' ? test : (s: string) => test.test(s);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const screen = this.screen();
      if (ok(screen)) return screen;
      if (Date.now() > deadline) throw new Error(`the terminal never showed ${String(test)}; it shows:\n${screen}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Waits until kagg exits; its exit code. */
  async exitCode(timeoutMs = 30_000): Promise<number> {
    const screen = await this.waitFor(EXIT_MARK, timeoutMs);
    return Number(EXIT_MARK.exec(screen)?.[1]);
  }

  kill(): void {
    spawnSync('tmux', ['-S', this.socket, 'kill-server'], { stdio: 'ignore' });
  }
}
