// Starts a job's shim (daemon/shim/procd-shim.pl) and turns its event channel into typed events.
// The shim runs in its own session, outside the job's process group, so it outlives both a kill
// of the job's group and the death of the daemon; files in the job directory stay the truth.

import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { closeSync, openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseShimEvent, type ShimEvent } from '../output/spawn-spec.js';
import { INSTANCE_MARKER, JOB_MARKER } from './kill-tree.js';

/** The shim script ships as a source file next to the compiled code (dist/ → ../../../daemon/shim). */
export const SHIM_PATH = fileURLToPath(new URL('../../../daemon/shim/procd-shim.pl', import.meta.url));

/** How the shim process itself ended: its status, or the error that kept it from running. */
export interface ShimGone {
  code: number | null;
  signal: NodeJS.Signals | null;
  error: NodeJS.ErrnoException | null;
}

export interface ShimHandle extends EventEmitter<{ event: [ShimEvent]; gone: [ShimGone] }> {
  pid: number;
}

/** The perl interpreter to run the shim with: PROCD_PERL, else `perl` from PATH. */
export function perlPath(): string {
  return process.env.PROCD_PERL ?? 'perl';
}

export function startShim(jobDir: string, shimLogFile: string): ShimHandle {
  const logFd = openSync(shimLogFile, 'a', 0o600);
  const env = { ...process.env };
  // The shim must never be mistaken for part of the job.
  delete env[JOB_MARKER];
  delete env[INSTANCE_MARKER];
  let child;
  try {
    child = spawn(perlPath(), [SHIM_PATH, jobDir], { detached: true, stdio: ['ignore', 'pipe', logFd], env });
  } finally {
    closeSync(logFd);
  }
  const handle = new EventEmitter() as ShimHandle;
  handle.pid = child.pid ?? -1;
  let buffered = '';
  const channel = child.stdout!;
  channel.setEncoding('utf8');
  channel.on('data', (text: string) => {
    buffered += text;
    let nl: number;
    while ((nl = buffered.indexOf('\n')) !== -1) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      const event = parseShimEvent(line);
      if (event) handle.emit('event', event);
    }
  });
  // 'error' (the interpreter could not be run) and 'close' can both come: report the first.
  let gone = false;
  const report = (status: ShimGone) => {
    if (gone) return;
    gone = true;
    handle.emit('gone', status);
  };
  child.on('error', (error: NodeJS.ErrnoException) => report({ code: null, signal: null, error }));
  child.on('close', (code, signal) => report({ code, signal, error: null }));
  return handle;
}
