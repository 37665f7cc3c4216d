// The terminal for procd top: the alternate screen with the cursor hidden and raw input, frames
// written as one write each (only the lines that changed, or the whole screen after a resize),
// and the terminal given back exactly as found — on q and Ctrl-C, on SIGTERM/SIGHUP, and on an
// uncaught exception. The thin acting layer around the pure frame functions (layout.ts).

import { writeSync } from 'node:fs';
import type { ReadStream, WriteStream } from 'node:tty';

const ENTER = '\x1b[?1049h\x1b[?25l\x1b[H\x1b[2J';
const LEAVE = '\x1b[0m\x1b[?25h\x1b[?1049l';

/** The bytes that draw `next` over `previous` (null: the screen is unknown, draw it all). Pure. */
export function frameBytes(previous: readonly string[] | null, next: readonly string[]): string {
  let out = previous ? '' : '\x1b[H\x1b[2J';
  for (let i = 0; i < next.length; i++) {
    if (previous && previous[i] === next[i]) continue;
    // Row i+1, column 1; the line, then the rest of the row cleared (whatever was longer before).
    out += `\x1b[${i + 1};1H${next[i]}\x1b[0m\x1b[K`;
  }
  return out;
}

/** What the app draws on: the terminal's size, a frame, and "draw the next one whole". */
export interface FrameSink {
  readonly width: number;
  readonly height: number;
  draw(lines: readonly string[]): void;
  invalidate(): void;
}

export class Screen implements FrameSink {
  private previous: string[] | null = null;
  private active = false;
  private readonly restoreOnExit = () => this.leave();

  constructor(
    private readonly input: ReadStream,
    private readonly output: WriteStream,
    /** The output's file descriptor, for the synchronous writes of enter and leave. */
    private readonly outputFd = 1,
  ) {}

  get width(): number {
    return this.output.columns || 80;
  }

  get height(): number {
    return this.output.rows || 24;
  }

  enter(): void {
    this.active = true;
    process.on('exit', this.restoreOnExit);
    this.input.setRawMode(true);
    this.input.resume();
    this.input.setEncoding('utf8');
    writeSync(this.outputFd, ENTER);
  }

  /** One frame, one write: the changed lines only. */
  draw(lines: readonly string[]): void {
    if (!this.active) return;
    const bytes = frameBytes(this.previous, lines);
    if (bytes) this.output.write(bytes);
    this.previous = [...lines];
  }

  /** The next frame is drawn whole (after a resize, Ctrl-L). */
  invalidate(): void {
    this.previous = null;
  }

  /** Gives the terminal back: raw mode off, cursor shown, the alternate screen left (the shell's screen as it was). Safe to call twice. */
  leave(): void {
    if (!this.active) return;
    this.active = false;
    process.off('exit', this.restoreOnExit);
    try {
      if (this.input.isRaw) this.input.setRawMode(false);
    } catch {
      // the terminal is gone (SSH dropped): nothing to restore
    }
    this.input.pause();
    try {
      // Synchronous, so it is written even when the process exits right after.
      writeSync(this.outputFd, LEAVE);
    } catch {
      // the terminal is gone
    }
  }
}
