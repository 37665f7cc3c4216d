// The CLI's standard output without Node's stream while it is not needed. Node makes
// process.stdout on first use, and for a pipe that is a socket stream costing ~0.8 ms of CPU,
// a sizeable part of a ~55 ms `procd ls`. So text goes out with write(2) directly until the
// stream exists (made by anyone: output followed as it comes, top, a full non-blocking pipe);
// from then on every write goes through it, so nothing written directly overtakes bytes the
// stream still holds. To know when Node makes a stream, trackStdio() wraps process.stdout's and
// process.stderr's getters (Node defines them configurable), once, at the bin's start.

import { writeSync } from 'node:fs';
import { isatty } from 'node:tty';
import { EXIT } from './exit-codes.js';

const made: { stdout?: NodeJS.WriteStream; stderr?: NodeJS.WriteStream } = {};

/** Notes when Node makes process.stdout or process.stderr; a reader of stdout that goes away ends us as SIGPIPE would. */
export function trackStdio(): void {
  for (const name of ['stdout', 'stderr'] as const) {
    const own = Object.getOwnPropertyDescriptor(process, name);
    const get = own?.get;
    const note = (stream: NodeJS.WriteStream): NodeJS.WriteStream => {
      if (!made[name]) {
        made[name] = stream;
        if (name === 'stdout') stream.on('error', exitIfReaderGone);
      }
      return stream;
    };
    // A Node that defines them otherwise: the streams from the start, as before (no direct writes).
    if (!get || !own.configurable) {
      note(process[name]);
      continue;
    }
    Object.defineProperty(process, name, { configurable: true, enumerable: own.enumerable ?? true, get: () => note(get.call(process) as NodeJS.WriteStream) });
  }
}

// `procd status 1 --tree | head -1`: a reader gone early is not an error of ours: end quietly
// with SIGPIPE's code, instead of an unhandled 'error' with a stack.
function exitIfReaderGone(err: NodeJS.ErrnoException): void {
  if (err.code !== 'EPIPE') throw err;
  process.exit(EXIT.readerGone);
}

/** Whether Node has made process.stdout (from then on every write goes through it). */
export function stdoutStreamMade(): boolean {
  return made.stdout !== undefined;
}

export function stdoutIsTTY(): boolean {
  return made.stdout ? made.stdout.isTTY === true : isatty(1);
}

/** The terminal's columns, or undefined when stdout is not a terminal. */
export function stdoutColumns(): number | undefined {
  return stdoutIsTTY() ? process.stdout.columns : undefined;
}

/** The streams Node has made that still hold bytes not handed to the kernel. */
export function streamsWithPendingBytes(): NodeJS.WriteStream[] {
  return [made.stdout, made.stderr].filter((s): s is NodeJS.WriteStream => s !== undefined && s.writableLength > 0);
}

/** Writes `text` to stdout: directly while there is no stream, through it once there is. */
export function writeStdout(text: string): void {
  if (made.stdout) {
    made.stdout.write(text);
    return;
  }
  const bytes = Buffer.from(text);
  let done = 0;
  try {
    while (done < bytes.length) done += writeSync(1, bytes, done);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EPIPE') process.exit(EXIT.readerGone);
    // EAGAIN (a full non-blocking pipe) or anything else: the stream waits, or reports, as Node does.
    process.stdout.write(bytes.subarray(done));
  }
}
