// One shim per job directory. Each shim first creates <jobDir>/claim exclusively (holding its pid;
// the file contract in daemon/shim/procd-shim.pl, "Claim"); a second shim started on the same
// directory ends with SHIM_CLAIMED_STATUS having touched nothing. That happens when a fork server
// dies after forking a shim but before its pid line reached the daemon: the launcher then starts
// the shim itself, and whichever shim claimed first runs the job. When it is the orphan, the
// daemon follows it by its files: its `started` file (or exit file), then by pid, as for any shim
// whose channel was lost.

import { EventEmitter } from 'node:events';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readExitFile, readStartedFile } from '../output/spawn-spec.js';
import { isAlive } from '../proc/process-table.js';
import { listenTo, type ShimGone, type ShimHandle, type ShimListeners } from './shim-runner.js';

/** The exit status of a shim that found its job directory claimed by another (daemon/shim/native/shim.h). */
export const SHIM_CLAIMED_STATUS = 75;
export const CLAIM_FILE = 'claim';

const POLL_MS = 50;
/** A claimant that has not written its pid this long after creating the file is followed by its files alone. */
const CLAIM_PID_WAIT_MS = 2000;
/** How long a claimant without a readable pid is followed before it counts as gone. */
const FOLLOW_WITHOUT_PID_MS = 15_000;

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The pid in `<jobDir>/claim`, or null (no claim, or its pid not written within `waitMs`). */
export async function readClaimPid(jobDir: string, waitMs = CLAIM_PID_WAIT_MS): Promise<number | null> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const text = await readFile(join(jobDir, CLAIM_FILE), 'utf8').catch(() => null);
    if (text === null) return null;
    const m = /^([1-9][0-9]*)\n$/.exec(text);
    if (m) return Number(m[1]);
    if (Date.now() >= deadline) return null;
    await pause(POLL_MS);
  }
}

/**
 * Runs `start` (which starts a shim and hands its events to the listeners it is given) so that a
 * shim that found the directory claimed is replaced, for `listeners`, by the claimant: the
 * returned handle's pid becomes the claimant's, its start is read from its files, and then it is
 * reported gone without a channel (the starter watches the job by its files and pid).
 */
export async function launchClaiming(jobDir: string, file: string, listeners: ShimListeners, start: (own: ShimListeners) => ShimHandle | Promise<ShimHandle>): Promise<ShimHandle> {
  const outer = listenTo(new EventEmitter() as ShimHandle, listeners);
  let heard = false;
  const inner = await start({
    event: (event) => {
      heard = true;
      outer.emit('event', event);
    },
    gone: (gone) => {
      if (heard || gone.code !== SHIM_CLAIMED_STATUS) return void outer.emit('gone', gone);
      void followClaimant(outer, jobDir, file);
    },
  });
  outer.pid ??= inner.pid;
  return outer;
}

/** Reports the claimant's start from its files, then its lost channel (or its death before a start). */
export async function followClaimant(handle: ShimHandle, jobDir: string, file: string): Promise<void> {
  const pid = await readClaimPid(jobDir);
  if (pid !== null) handle.pid = pid;
  const giveUpAt = Date.now() + FOLLOW_WITHOUT_PID_MS;
  let why = 'ended before it started the job';
  for (;;) {
    // Liveness first, then the files: a claimant that ended in between has written them.
    const alive = pid !== null ? await isAlive(pid) : Date.now() < giveUpAt;
    const started = await readStartedFile(jobDir);
    if (started) {
      handle.emit('event', { type: 'started', pid: started.pid, at: started.at });
      why = 'runs on without a channel';
      break;
    }
    if (await readExitFile(jobDir)) break; // a spawn error: the starter applies the exit file
    if (!alive) break;
    await pause(POLL_MS);
  }
  const who = pid !== null ? `the shim (pid ${pid}) that claimed ${jobDir}` : `the shim that claimed ${jobDir}`;
  const gone: ShimGone = { code: null, signal: null, error: Object.assign(new Error(`${who} ${why}`), { code: 'ECHANNEL' }), file };
  handle.emit('gone', gone);
}
