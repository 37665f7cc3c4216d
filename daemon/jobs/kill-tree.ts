// "Kill means gone": find every process of the jobs before the first signal (membersOf: group,
// session, main process, PROCD_JOB_ID + PROCD_INSTANCE markers — which catch setsid'd and
// double-forked escapees —, the job's cgroup when it has one, and descendants), signal each of them exactly once, wait the grace
// period, then look again and SIGKILL whatever is left (including anything that appeared
// meanwhile). Any number of jobs share one sweep: one read, one signal pass, one grace wait,
// one re-read, one SIGKILL pass.

import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { Job, JobId } from '../../shared/job.js';
import { cgroupNameOf, isPopulated, killCgroup } from '../cgroup/job-cgroup.js';
import { membersOf, type ProcessSnapshot, type ProcessSnapshots } from '../monitor/job-processes.js';
import { isAlive, isDeadState } from '../proc/process-table.js';
import { planSignals, type SignalPlan } from '../proc/signal-plan.js';

export { INSTANCE_MARKER, JOB_MARKER, markerEntries } from '../proc/markers.js';

export interface TreeKillResult {
  /** Processes the first signal was sent to. */
  signalled: number[];
  /** Processes still there after the grace period, sent SIGKILL. */
  forced: number[];
  /** Processes still alive after SIGKILL and the final wait (uninterruptible sleep, another user). */
  survivors: number[];
}

/** How long SIGKILLed processes are waited for before they are reported as survivors. */
const KILL_WAIT_MS = 2000;

/**
 * The n-th wait (from 0) between two looks at signalled processes: 1, 2, 4, 8, 16 ms, then every
 * `pollMs`. Most processes end within a few milliseconds of the signal; a flat 25 ms made every
 * stop take at least that long (the first look, right after the signal, sees them still alive).
 */
export function pollDelayMs(n: number, pollMs: number): number {
  return Math.max(1, Math.min(pollMs, 2 ** n));
}

/** pid → start time of the live members of `job` in `snapshot`. */
function liveMembers(job: Job, snapshot: ProcessSnapshot): Map<number, number> {
  const found = new Map<number, number>();
  for (const pid of membersOf(job, snapshot)) {
    const p = snapshot.table.get(pid);
    if (p && !isDeadState(p.state)) found.set(pid, p.startTicks);
  }
  return found;
}

/** Sends `signal` as planned; returns the reached pids the kernel refused to signal (EPERM). */
function send(plan: SignalPlan, table: ProcessSnapshot['table'], signal: NodeJS.Signals | number): Set<number> {
  const refused = new Set<number>();
  const sendOne = (target: number): boolean => {
    try {
      process.kill(target, signal);
      return true;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code !== 'EPERM'; // ESRCH: already gone, which is what a signal is for
    }
  };
  for (const pgid of plan.groups) {
    if (!sendOne(-pgid)) for (const pid of plan.reached) if (table.get(pid)?.pgid === pgid) refused.add(pid);
  }
  for (const pid of plan.pids) if (!sendOne(pid)) refused.add(pid);
  return refused;
}

/** Signals every process of `job` once, without escalation. Returns the pids signalled. */
export async function signalJob(snapshots: ProcessSnapshots, job: Job, signal: NodeJS.Signals | number): Promise<number[]> {
  const snapshot = await snapshots.take({ urgent: true });
  const plan = planSignals(snapshot.table, liveMembers(job, snapshot).keys());
  const refused = send(plan, snapshot.table, signal);
  return plan.reached.filter((pid) => !refused.has(pid));
}

/** Those of `procs` (pid → start time) that are still the same live process. */
async function stillAlive(procs: Map<number, number>): Promise<Map<number, number>> {
  const checks = await Promise.all([...procs].map(async ([pid, start]) => [pid, start, await isAlive(pid, start)] as const));
  return new Map(checks.filter(([, , alive]) => alive).map(([pid, start]) => [pid, start]));
}

const ascending = (xs: Iterable<number>) => [...xs].sort((a, b) => a - b);

/** The full stop of several jobs in one sweep: signal, grace, SIGKILL what is left, wait until it is gone. */
export async function killJobs(
  snapshots: ProcessSnapshots,
  jobs: readonly Job[],
  signal: NodeJS.Signals | number,
  graceMs: number,
  pollMs = 25,
): Promise<Map<JobId, TreeKillResult>> {
  const first = await snapshots.take({ urgent: true });
  const found = jobs.map((job) => liveMembers(job, first));
  const everyone = new Map(found.flatMap((m) => [...m]));
  const refused = send(planSignals(first.table, everyone.keys()), first.table, signal);

  const deadline = Date.now() + graceMs;
  let remaining = await stillAlive(everyone);
  for (let n = 0; remaining.size > 0 && Date.now() < deadline; n++) {
    await delay(Math.min(pollDelayMs(n, pollMs), Math.max(1, deadline - Date.now())));
    remaining = await stillAlive(remaining);
  }

  // After the grace: look again (a dying process may have spawned more), and SIGKILL all of it.
  const again = await snapshots.take({ urgent: true });
  const left = jobs.map((job, i) => {
    const now = liveMembers(job, again);
    for (const [pid, start] of remaining) if (found[i]!.has(pid) && !now.has(pid)) now.set(pid, start);
    return now;
  });
  const forcedAll = new Map(left.flatMap((m) => [...m]));
  if (forcedAll.size > 0) send(planSignals(again.table, forcedAll.keys()), again.table, 'SIGKILL');
  // With a cgroup per job, cgroup.kill also reaches what forked after the re-read (no race).
  const root = snapshots.cgroupRoot;
  const cgroups = root ? jobs.flatMap((job) => cgroupNameOf(job) ?? []).map((name) => join(root, name)) : [];
  let busy = await populatedOf(cgroups);
  await Promise.all(busy.map((cg) => killCgroup(cg)));
  const killDeadline = Date.now() + KILL_WAIT_MS;
  let survivors = await stillAlive(forcedAll);
  for (let n = 0; (survivors.size > 0 || busy.length > 0) && Date.now() < killDeadline; n++) {
    await delay(pollDelayMs(n, pollMs));
    // Not a repeat of the first signal: SIGKILL for whatever is still there (e.g. it was stopped).
    for (const pid of survivors.keys()) trySigkill(pid);
    survivors = await stillAlive(survivors);
    busy = await populatedOf(busy);
  }

  const results = new Map<JobId, TreeKillResult>();
  jobs.forEach((job, i) => {
    results.set(job.id, {
      signalled: ascending([...found[i]!.keys()].filter((pid) => !refused.has(pid))),
      forced: ascending(left[i]!.keys()),
      survivors: ascending([...left[i]!.keys()].filter((pid) => survivors.has(pid))),
    });
  });
  return results;
}

/** Those of `cgroups` that still hold a process ("all gone" is `populated 0` in cgroup.events). */
async function populatedOf(cgroups: readonly string[]): Promise<string[]> {
  const checks = await Promise.all(cgroups.map(async (cg) => ((await isPopulated(cg)) ? cg : null)));
  return checks.filter((cg): cg is string => cg !== null);
}

function trySigkill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone, or not ours
  }
}

interface Batch {
  signal: NodeJS.Signals | number;
  graceMs: number;
  requests: { job: Job; resolve: (r: TreeKillResult) => void; reject: (err: unknown) => void }[];
}

/**
 * Gathers kill requests made in the same turn of the event loop (a `kill` of N jobs, a shutdown,
 * timeouts due together) into one killJobs() sweep per signal and grace.
 */
export class KillSweeper {
  private readonly pending = new Map<string, Batch>();
  /** Sweeps run so far (for tests). */
  sweeps = 0;

  constructor(private readonly snapshots: ProcessSnapshots) {}

  kill(job: Job, signal: NodeJS.Signals | number, graceMs: number): Promise<TreeKillResult> {
    const key = `${signal}:${graceMs}`;
    let batch = this.pending.get(key);
    if (!batch) {
      const created: Batch = { signal, graceMs, requests: [] };
      this.pending.set(key, (batch = created));
      setImmediate(() => {
        this.pending.delete(key);
        void this.run(created);
      });
    }
    const requests = batch.requests;
    return new Promise((resolve, reject) => requests.push({ job, resolve, reject }));
  }

  private async run(batch: Batch): Promise<void> {
    this.sweeps++;
    const jobs = [...new Map(batch.requests.map((r) => [r.job.id, r.job])).values()];
    try {
      const results = await killJobs(this.snapshots, jobs, batch.signal, batch.graceMs);
      for (const r of batch.requests) r.resolve(results.get(r.job.id) ?? { signalled: [], forced: [], survivors: [] });
    } catch (err) {
      for (const r of batch.requests) r.reject(err);
    }
  }
}
