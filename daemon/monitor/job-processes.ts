// Which processes belong to a job, over one snapshot: the job's process group and session, its
// main process, everything carrying its PROCD_JOB_ID + PROCD_INSTANCE markers, everything in its
// cgroup (when it has one), and all their descendants. The one rule both the kill procedure and the monitor's sampling use.

import { hasLiveProcess, isTerminal, wasReleased, type Job } from '../../shared/job.js';
import { cgroupNameOf } from '../cgroup/job-cgroup.js';
import type { ProcessSnapshot, TableIndex } from './snapshot.js';

export { MarkerCache, ProcessSnapshots, snapshotOf, TableIndex, type ProcessSnapshot } from './snapshot.js';

/** The job's main process: its pid, its start time when known, and whether it leads its own group and session. */
export interface JobRoot {
  pid: number;
  startTicks: number | null;
  ownsGroup: boolean;
}

/** The job's main pid (running or finished) and whether it leads its own group and session. */
export function jobRoot(job: Job): JobRoot | null {
  const s = job.state;
  if (!hasLiveProcess(s) && !isTerminal(s)) return null;
  // A released process is no longer the job's: never a leftover, free to be adopted again.
  if (wasReleased(s)) return null;
  if (s.pid === null) return null;
  return { pid: s.pid, startTicks: s.startTicks, ownsGroup: ownsProcessGroup(job) };
}

/** Jobs procd started lead their own group and session; an adopted process only if it led its group when adopted. */
export function ownsProcessGroup(job: Job): boolean {
  const command = job.spec.command;
  return command.kind !== 'adopted' || command.leadsGroup === true;
}

/** Processes that are never part of a job: the daemon, and a running job's shim. */
export function neverMembers(job: Job, snapshot: Pick<ProcessSnapshot, 'selfPid'>): Set<number> {
  const never = new Set([snapshot.selfPid]);
  if (hasLiveProcess(job.state) && job.state.shimPid !== null) never.add(job.state.shimPid);
  return never;
}

/** Every process of `job` in `snapshot`, ascending (zombies included: callers decide what to count). */
export function membersOf(job: Job, snapshot: ProcessSnapshot): number[] {
  const marked = snapshot.marked.get(job.id) ?? [];
  const inCgroup = cgroupMembersOf(job, snapshot);
  return processesOf(jobRoot(job), inCgroup.length ? [...marked, ...inCgroup] : marked, snapshot.index, neverMembers(job, snapshot));
}

/** The pids in the job's own cgroup (by the name its record keeps), as read with the snapshot. */
export function cgroupMembersOf(job: Job, snapshot: Pick<ProcessSnapshot, 'cgroups'>): readonly number[] {
  const name = cgroupNameOf(job);
  return name === null ? [] : (snapshot.cgroups.get(name) ?? []);
}

/**
 * Members that only the cgroup finds: no group, session, marker or descent from another member
 * leads to them (a `setsid env -i` escapee whose parent exited, and its descendants).
 */
export function cgroupOnlyMembers(job: Job, snapshot: ProcessSnapshot): number[] {
  if (!cgroupMembersOf(job, snapshot).length) return [];
  const byLinks = new Set(processesOf(jobRoot(job), snapshot.marked.get(job.id) ?? [], snapshot.index, neverMembers(job, snapshot)));
  return membersOf(job, snapshot).filter((pid) => !byLinks.has(pid));
}

/**
 * The membership rule. The main process counts while it is the same process (pid + start time;
 * an unknown start time counts as the same). Group and session members count only while the
 * leader's pid has not been reused: the kernel never hands out a pid that is still some group's
 * or session's id, so a group that exists is ours unless a different process now holds that pid.
 * Marked processes always count. Descendants of all of these count. Excluded processes are
 * neither members nor a path to members (the daemon's children are other jobs' shims).
 */
export function processesOf(root: JobRoot | null, marked: readonly number[], index: TableIndex, exclude: ReadonlySet<number>): number[] {
  const found = new Set<number>();
  const add = (pid: number) => {
    if (!exclude.has(pid)) found.add(pid);
  };
  if (root) {
    const leader = index.table.get(root.pid);
    const leaderIsOurs = leader !== undefined && (root.startTicks === null || leader.startTicks === root.startTicks);
    if (leaderIsOurs) add(root.pid);
    const reused = leader !== undefined && !leaderIsOurs;
    if (root.ownsGroup && !reused) {
      for (const pid of index.byGroup.get(root.pid) ?? []) add(pid);
      for (const pid of index.bySession.get(root.pid) ?? []) add(pid);
    }
  }
  for (const pid of marked) if (index.table.has(pid)) add(pid);
  const queue = [...found];
  while (queue.length) {
    for (const child of index.children.get(queue.pop()!) ?? []) {
      if (!found.has(child) && !exclude.has(child)) {
        found.add(child);
        queue.push(child);
      }
    }
  }
  return [...found].sort((a, b) => a - b);
}
