// Noticing that whoever reads our stdout went away, without writing to it. `procd logs -f |
// grep -m1 listening` must end when grep does, as `tail -f` does, even while the job writes
// nothing. A write would tell (EPIPE), but we have nothing to write; Node cannot poll a write-only
// pipe, so a tiny Perl helper (perl-base only: IO.so's poll, which the shim's perl also has)
// shares our stdout and waits for poll() to report POLLERR/POLLHUP on it. It also watches its
// stdin, a pipe from us, so it ends with us even if we are SIGKILLed: a helper left behind would
// hold the pipe open and the reader would never see EOF.

import { spawn } from 'node:child_process';
import { fstatSync } from 'node:fs';
import type { Socket } from 'node:net';
import { EXIT } from './exit-codes.js';

/** The exit code when the reader went away: a death by SIGPIPE, as `tail -f` and `yes | head` give. */
export const READER_GONE_EXIT = EXIT.readerGone;

/** Thrown out of a write or a wait once the reader is gone; the command exits READER_GONE_EXIT. */
export class ReaderGone extends Error {
  constructor() {
    super('the reader of stdout went away');
  }
}

export interface ReaderWatch {
  /** Rejects with ReaderGone when the reader goes away; never settles otherwise. Handled: racing it is safe. */
  readonly gone: Promise<never>;
  isGone(): boolean;
  /** Ends the helper (our own child, by its pid). */
  stop(): void;
}

/** Only a pipe or a socket can lose its reader; a terminal must not be polled (or read), a file cannot. */
export function canLoseReader(kind: { isFIFO(): boolean; isSocket(): boolean }): boolean {
  return kind.isFIFO() || kind.isSocket();
}

// fd 0 (from us) and fd 1 (our stdout); exit 0 when fd 1 reports anything (events 0: only
// POLLERR/POLLHUP/POLLNVAL can), 3 when fd 0 does (we are gone). A failed poll (EINTR) is retried.
const HELPER = 'use IO (); my @f = (0, 1, 1, 0); @f = (0, 1, 1, 0) until IO::Poll::_poll(-1, @f) > 0; exit($f[3] ? 0 : 3);';

/** Starts watching stdout; an inert watch when stdout cannot lose its reader or perl cannot run. */
export function watchReader(fd = 1): ReaderWatch {
  let gone = false;
  let rejectGone: (err: ReaderGone) => void = () => undefined;
  const promise = new Promise<never>((_, reject) => (rejectGone = reject));
  promise.catch(() => undefined);
  const markGone = () => {
    gone = true;
    rejectGone(new ReaderGone());
  };
  let kind;
  try {
    kind = fstatSync(fd);
  } catch {
    return { gone: promise, isGone: () => gone, stop: () => undefined };
  }
  if (!canLoseReader(kind)) return { gone: promise, isGone: () => gone, stop: () => undefined };
  const child = spawn(process.env.PROCD_PERL || 'perl', ['-e', HELPER], { stdio: ['pipe', fd, 'ignore'] });
  child.on('error', () => undefined); // no perl: the next write notices instead (EPIPE)
  child.on('exit', (code) => {
    if (code === 0) markGone();
  });
  child.unref();
  (child.stdin as Socket | null)?.unref();
  return {
    gone: promise,
    isGone: () => gone,
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      child.stdin?.destroy();
    },
  };
}

/** Writes and waits until the bytes are handed over, so a slow reader throttles us; EPIPE becomes ReaderGone. */
export function writeBytes(stream: NodeJS.WriteStream, bytes: Buffer | string): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(bytes, (err) => {
      if (!err) resolve();
      else reject((err as NodeJS.ErrnoException).code === 'EPIPE' ? new ReaderGone() : err);
    });
  });
}
