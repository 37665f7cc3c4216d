// A terminal for e2e tests of full-screen commands: a tmux server on its own socket (never the
// user's or another test's sessions), one window of a fixed size running a plain bash, keys sent
// with send-keys, the screen read with capture-pane. kill() ends that server (also on failure).

import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { waitFor } from '../../helpers/wait-for.js';

/** A prompt no program prints by accident, so a test can tell the shell is back. */
export const PROMPT = 'tmuxtest$ ';

export function hasTmux(): boolean {
  return spawnSync('tmux', ['-V'], { encoding: 'utf8' }).status === 0;
}

export class Tmux {
  readonly socket = `procd-test-${process.pid}-${randomBytes(4).toString('hex')}`;

  /** Starts the server with one window of `width`×`height` running bash with this environment, in `cwd`. */
  constructor(env: NodeJS.ProcessEnv, cwd: string, width = 120, height = 30) {
    const shellEnv = { ...env, HISTFILE: '/dev/null' };
    // -f /dev/null: no user configuration; the server takes the environment given here (but not
    // PS1, which tmux does not pass on: it is set on the shell's command line).
    this.tmux(['-f', '/dev/null', 'new-session', '-d', '-x', String(width), '-y', String(height), '-c', cwd, `env PS1='${PROMPT}' bash --norc --noprofile`], shellEnv);
  }

  private tmux(args: string[], env?: NodeJS.ProcessEnv): string {
    const r = spawnSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8', env: env ?? process.env, timeout: 10_000 });
    if (r.status !== 0) throw new Error(`tmux ${args.join(' ')}: ${r.stderr || r.error?.message || `exit ${r.status}`}`);
    return r.stdout;
  }

  /** Types a line and presses Enter. */
  type(line: string): void {
    this.tmux(['send-keys', '-l', line]);
    this.tmux(['send-keys', 'Enter']);
  }

  /** Sends keys by tmux's names (`Down`, `Escape`, `C-c`) or literal characters (`-l`). */
  keys(...keys: string[]): void {
    this.tmux(['send-keys', ...keys]);
  }

  literal(text: string): void {
    this.tmux(['send-keys', '-l', text]);
  }

  /** Resizes the window (the program in it gets SIGWINCH). */
  resize(width: number, height: number): void {
    this.tmux(['resize-window', '-x', String(width), '-y', String(height)]);
  }

  /** The visible screen as text (no attributes). */
  screen(): string {
    return this.tmux(['capture-pane', '-p']);
  }

  /** The screen with its attributes as escape sequences (capture-pane -e): colours show as ESC[…m. */
  screenWithAttributes(): string {
    return this.tmux(['capture-pane', '-p', '-e']);
  }

  /** A format of the pane: `#{alternate_on}` (1 while a program uses the alternate screen), `#{cursor_flag}`. */
  show(format: string): string {
    return this.tmux(['display-message', '-p', format]).trim();
  }

  /** Waits until the screen satisfies `check`; returns that screen. On a timeout the error shows the screen. */
  async waitForScreen(check: (screen: string) => boolean, what: string, timeoutMs = 30_000): Promise<string> {
    let last = '';
    try {
      return await waitFor(() => (check((last = this.screen())) ? last : null), { what, timeoutMs, everyMs: 50 });
    } catch (err) {
      throw new Error(`${(err as Error).message.split(' (')[0]}; the screen was:\n${last}`);
    }
  }

  /** Ends this server and removes its socket file (tmux leaves it behind when killed). */
  kill(): void {
    const path = spawnSync('tmux', ['-L', this.socket, 'display-message', '-p', '#{socket_path}'], { encoding: 'utf8', timeout: 10_000 }).stdout?.trim();
    spawnSync('tmux', ['-L', this.socket, 'kill-server'], { timeout: 10_000 });
    if (path) rmSync(path, { force: true });
  }
}
