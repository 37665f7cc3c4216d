// Questions about jobs answered from one snapshot: what finished jobs left running and which
// zombies stay unreaped (cleanup), which job a process belongs to (adopt), a job's live tree
// (status --tree). Pure: the monitor takes the snapshot.

import { isTerminal, type Job, type JobId } from '../../shared/job.js';
import { procKey } from '../proc/cpu-sampler.js';
import { isDeadState } from '../proc/process-table.js';
import { cgroupOnlyMembers, jobRoot, membersOf } from './job-processes.js';
import type { ProcessSnapshot } from './snapshot.js';

export interface Leftovers {
  leftovers: Map<JobId, number[]>;
  zombies: { pid: number; ppid: number; jobId: JobId }[];
}

/**
 * Live processes of every finished job, and the zombies of every job that have stayed unreaped
 * for `zombieAfterMs` (`zombieSince`: pid:startTicks → first seen as a zombie). A child that
 * exited a moment ago is about to be reaped: its parent is not at fault.
 */
export function leftoversIn(jobs: Iterable<Job>, snapshot: ProcessSnapshot, zombieSince: ReadonlyMap<string, number>, zombieAfterMs: number): Leftovers {
  const { table, at } = snapshot;
  const leftovers = new Map<JobId, number[]>();
  const zombies: Leftovers['zombies'] = [];
  for (const job of jobs) {
    const pids = membersOf(job, snapshot);
    for (const pid of pids) {
      const p = table.get(pid);
      const since = p?.state === 'Z' ? zombieSince.get(procKey(p)) : undefined;
      if (p && since !== undefined && at - since >= zombieAfterMs) zombies.push({ pid, ppid: p.ppid, jobId: job.id });
    }
    if (isTerminal(job.state)) {
      const live = liveOnly(pids, snapshot);
      if (live.length) leftovers.set(job.id, live);
    }
  }
  return { leftovers, zombies };
}

/** The pids of `pids` that are alive (not zombies) in the snapshot. */
export function liveOnly(pids: readonly number[], snapshot: ProcessSnapshot): number[] {
  return pids.filter((pid) => !isDeadState(snapshot.table.get(pid)?.state ?? 'Z'));
}

/** The job a process belongs to (group, session, marker or descent), or null. Jobs without a main process are skipped. */
export function jobOwningPid(jobs: Iterable<Job>, snapshot: ProcessSnapshot, pid: number): Job | null {
  for (const job of jobs) {
    if (!jobRoot(job)) continue;
    if (membersOf(job, snapshot).includes(pid)) return job;
  }
  return null;
}

export interface TreeProcess {
  pid: number;
  ppid: number;
  state: string;
  cpuPercent: number | null;
  rssBytes: number;
  threads: number;
  comm: string;
  /** Found only through the job's cgroup (see cgroupOnlyMembers). */
  cgroupOnly: boolean;
}

/** A job's process tree, with the CPU readings of the last tick (`cpu`: pid:startTicks → percent). */
export function treeIn(job: Job, snapshot: ProcessSnapshot, cpu: ReadonlyMap<string, number | null>): TreeProcess[] {
  if (!jobRoot(job)) return [];
  const cgroupOnly = new Set(cgroupOnlyMembers(job, snapshot));
  return membersOf(job, snapshot).flatMap((pid) => {
    const p = snapshot.table.get(pid);
    if (!p) return [];
    return [{ pid, ppid: p.ppid, state: p.state, cpuPercent: cpu.get(procKey(p)) ?? null, rssBytes: p.rssBytes, threads: p.threads, comm: p.comm, cgroupOnly: cgroupOnly.has(pid) }];
  });
}
