// Starts a job's shim (the native dist/shim/procd-shim or daemon/shim/procd-shim.pl: one file
// contract, chosen at daemon start by daemon/shim-choice.ts) and turns its event channel into typed events.
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

/** The native shim, compiled by build-shim.mjs during `npm run build` (dist/daemon/jobs → dist/shim). */
export const NATIVE_SHIM_PATH = fileURLToPath(new URL('../../shim/procd-shim', import.meta.url));
/** What build-shim.mjs recorded: whether it built the native shim, and why not. */
export const NATIVE_BUILD_FILE = fileURLToPath(new URL('../../shim/build.json', import.meta.url));

/** How to run a shim: `<file> <...args> <jobDir>`. */
export interface ShimCommand {
  kind: 'native' | 'perl';
  file: string;
  args: string[];
}

export function perlShimCommand(): ShimCommand {
  return { kind: 'perl', file: perlPath(), args: [SHIM_PATH] };
}

export function nativeShimCommand(path = NATIVE_SHIM_PATH): ShimCommand {
  return { kind: 'native', file: path, args: [] };
}

/** How the shim process itself ended: its status, or the error that kept it from running. */
export interface ShimGone {
  code: number | null;
  signal: NodeJS.Signals | null;
  error: NodeJS.ErrnoException | null;
  /** The program that was run (the perl interpreter or the native shim). */
  file?: string;
}

export interface ShimHandle extends EventEmitter<{ event: [ShimEvent]; gone: [ShimGone] }> {
  pid: number;
}

/** What hears a shim: attached before the first event can arrive (a fork server may relay it in the same read). */
export interface ShimListeners {
  event: (event: ShimEvent) => void;
  gone: (gone: ShimGone) => void;
}

export function listenTo(handle: ShimHandle, listeners: ShimListeners): ShimHandle {
  handle.on('event', listeners.event);
  handle.on('gone', listeners.gone);
  return handle;
}

/** The perl interpreter to run the shim with: PROCD_PERL, else `perl` from PATH. */
export function perlPath(): string {
  return process.env.PROCD_PERL ?? 'perl';
}

export function startShim(jobDir: string, shimLogFile: string, command: ShimCommand = perlShimCommand()): ShimHandle {
  const logFd = openSync(shimLogFile, 'a', 0o600);
  let child;
  try {
    child = spawn(command.file, [...command.args, jobDir], { detached: true, stdio: ['ignore', 'pipe', logFd], env: shimEnvironment() });
  } finally {
    closeSync(logFd);
  }
  const handle = new EventEmitter() as ShimHandle;
  handle.pid = child.pid ?? -1;
  const channel = child.stdout!;
  channel.setEncoding('utf8');
  channel.on('data', shimChannelReader(handle));
  // 'error' (the interpreter could not be run) and 'close' can both come: report the first.
  let gone = false;
  const report = (status: ShimGone) => {
    if (gone) return;
    gone = true;
    handle.emit('gone', status);
  };
  child.on('error', (error: NodeJS.ErrnoException) => report({ code: null, signal: null, error, file: command.file }));
  child.on('close', (code, signal) => report({ code, signal, error: null, file: command.file }));
  return handle;
}

/** The daemon's environment without procd's markers: the shim must never be mistaken for part of a job. */
export function shimEnvironment(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env[JOB_MARKER];
  delete env[INSTANCE_MARKER];
  return env;
}

/** Turns a shim's event channel, as text in any chunks, into the handle's `event`s. */
export function shimChannelReader(handle: ShimHandle): (text: string) => void {
  let buffered = '';
  return (text) => {
    buffered += text;
    let nl: number;
    while ((nl = buffered.indexOf('\n')) !== -1) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      const event = parseShimEvent(line);
      if (event) handle.emit('event', event);
    }
  };
}
