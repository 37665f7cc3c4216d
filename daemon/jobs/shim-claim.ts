// One shim per job directory. Each shim first takes an exclusive flock on <jobDir>/spawn.spec,
// held for its life, and leaves at once if a `started` or `exit` file shows a shim ran there (the
// file contract in daemon/shim/procd-shim.pl, "Claim"): a second shim started on the same
// directory ends with SHIM_CLAIMED_STATUS having touched nothing. That happens when a fork server
// dies after forking a shim but before its pid line reached the daemon: the launcher then starts
// the shim itself, and whichever shim claimed first runs the job. When it is the orphan, the
// daemon follows it by its files: its `started` file (or exit file), then, once its channel is
// reported lost, by pid, as for any shim whose channel was lost.

import { EventEmitter } from 'node:events';
import { readExitFile, readStartedFile } from '../output/spawn-spec.js';
import { listenTo, type ShimGone, type ShimHandle, type ShimListeners } from './shim-runner.js';

/** The exit status of a shim that found its job directory claimed by another (daemon/shim/native/shim.h). */
export const SHIM_CLAIMED_STATUS = 75;

const POLL_MS = 50;
/** How long the claimant may take to start the job (the starter gives up after as long: START_TIMEOUT_MS). */
const FOLLOW_MS = 15_000;

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

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

/** Reports the claimant's start (or spawn error) from its files, then its lost channel; gives up after `followMs`. */
export async function followClaimant(handle: ShimHandle, jobDir: string, file: string, followMs = FOLLOW_MS): Promise<void> {
  const giveUpAt = Date.now() + followMs;
  let why = `did not start the job within ${followMs / 1000}s`;
  for (;;) {
    const started = await readStartedFile(jobDir);
    if (started) {
      handle.pid = started.shimPid;
      handle.emit('event', { type: 'started', pid: started.pid, at: started.at });
      why = 'runs on without a channel';
      break;
    }
    const exit = await readExitFile(jobDir);
    if (exit) {
      handle.pid = exit.shimPid; // a spawn error: the starter applies the exit file
      why = 'could not start the job';
      break;
    }
    if (Date.now() >= giveUpAt) break;
    await pause(POLL_MS);
  }
  const gone: ShimGone = { code: null, signal: null, error: Object.assign(new Error(`the shim that claimed ${jobDir} ${why}`), { code: 'ECHANNEL' }), file };
  handle.emit('gone', gone);
}
