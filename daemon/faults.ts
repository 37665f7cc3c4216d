// The daemon's policy for errors nothing caught (see README, "When the daemon itself fails"):
// an uncaught exception ends the daemon at once with EXIT_UNCAUGHT, jobs left running (their
// shims keep them and record their ends; the next daemon re-adopts them), after the error is
// logged at fatal level and left in <home>/crash.json for the next daemon to report; an unhandled
// rejection is logged with its stack, counted, and the daemon keeps running.
// `daemon status` shows the count, the last rejection and the previous daemon's crash.

import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** EX_SOFTWARE from sysexits.h: systemd's Restart=on-failure and launchd's KeepAlive restart on it. */
export const EXIT_UNCAUGHT = 70;

export interface FaultNote {
  at: number;
  message: string;
}

export interface Faults {
  unhandledRejections: number;
  lastRejection: FaultNote | null;
  /** The daemon before this one ended on an uncaught exception (read from crash.json at start). */
  previousCrash: (FaultNote & { pid: number }) | null;
}

/** This process's faults; one daemon per process. */
export const faults: Faults = { unhandledRejections: 0, lastRejection: null, previousCrash: null };

/** A one-line description of a thrown value, and its stack when it has one. */
export function describeError(err: unknown): { message: string; stack: string } {
  if (err instanceof Error) return { message: `${err.name}: ${err.message}`, stack: err.stack ?? `${err.name}: ${err.message}` };
  const text = (() => {
    try {
      return typeof err === 'string' ? err : (JSON.stringify(err) ?? String(err));
    } catch {
      return String(err);
    }
  })();
  return { message: `non-Error value thrown: ${text}`, stack: text };
}

export function noteRejection(err: unknown, now = Date.now()): FaultNote {
  const note = { at: now, message: describeError(err).message };
  faults.unhandledRejections++;
  faults.lastRejection = note;
  return note;
}

const crashFile = (home: string) => join(home, 'crash.json');

/** Best effort, synchronous: the process is about to exit. */
export function writeCrashFile(home: string, err: unknown, now = Date.now()): void {
  const { message, stack } = describeError(err);
  try {
    writeFileSync(crashFile(home), `${JSON.stringify({ at: now, pid: process.pid, message, stack })}\n`, { mode: 0o600 });
  } catch {
    // the log and stderr still have it
  }
}

/** Reads and removes the crash file a previous daemon left; null when there is none (or it is unreadable). */
export function takeCrashFile(home: string): Faults['previousCrash'] {
  let text: string;
  try {
    text = readFileSync(crashFile(home), 'utf8');
  } catch {
    return null;
  }
  rmSync(crashFile(home), { force: true });
  try {
    const v = JSON.parse(text) as { at?: unknown; pid?: unknown; message?: unknown };
    if (typeof v.at === 'number' && typeof v.pid === 'number' && typeof v.message === 'string') return { at: v.at, pid: v.pid, message: v.message };
  } catch {
    // fall through
  }
  return { at: 0, pid: 0, message: 'a previous daemon crashed; its crash.json could not be read' };
}

/** Tests only (the daemon calls it on SIGUSR2 when PROCD_TEST_FAULTS=1): raises the fault named in <home>/test-fault. */
export function raiseTestFault(home: string): void {
  let kind = '';
  try {
    kind = readFileSync(join(home, 'test-fault'), 'utf8').trim();
  } catch {
    return;
  }
  if (kind === 'exception') {
    setImmediate(() => {
      throw new Error('test fault: uncaught exception');
    });
  }
  if (kind === 'rejection') void Promise.reject(new Error('test fault: unhandled rejection'));
}
