// Which processes belong to which job, from one process-table read: the job's process group
// and session, everything carrying its PROCD_JOB_ID + PROCD_INSTANCE markers, and all their
// descendants. Environments are read once per process (keyed by pid + start time) and cached,
// because a process's initial environment never changes.

import { hasLiveProcess, isTerminal, type Job, type JobId } from '../../shared/job.js';
import { INSTANCE_MARKER, JOB_MARKER } from '../jobs/kill-tree.js';
import { isDeadState, readEnvironKeys, type ProcessTable, type ProcInfo } from '../proc/process-table.js';

const key = (p: ProcInfo) => `${p.pid}:${p.startTicks}`;

/** Empty environment reads of one process before it is taken for a process without markers. */
const EMPTY_READS_BEFORE_CACHING = 3;

/** pid + start time → job id of this instance (null: not one of ours). */
export class MarkerCache {
  private readonly known = new Map<string, JobId | null>();
  /** Processes whose environment read came back empty (mid-exec, or `env -i`): read again next time. */
  private readonly emptyReads = new Map<string, number>();

  constructor(private readonly instance: string) {}

  /** Reads the environment of processes not seen before; forgets processes that are gone. */
  async update(table: ProcessTable): Promise<void> {
    const fresh: ProcessTable = new Map();
    const alive = new Set<string>();
    for (const p of table.values()) {
      const k = key(p);
      alive.add(k);
      if (!this.known.has(k) && !isDeadState(p.state)) fresh.set(p.pid, p);
    }
    for (const k of this.known.keys()) if (!alive.has(k)) this.known.delete(k);
    for (const k of this.emptyReads.keys()) if (!alive.has(k)) this.emptyReads.delete(k);
    if (fresh.size === 0) return;
    const reads = await readEnvironKeys(fresh, [INSTANCE_MARKER, JOB_MARKER]);
    for (const p of fresh.values()) {
      const k = key(p);
      const read = reads.get(p.pid);
      if (read?.empty) {
        const tries = (this.emptyReads.get(k) ?? 0) + 1;
        if (tries < EMPTY_READS_BEFORE_CACHING) {
          this.emptyReads.set(k, tries);
          continue;
        }
      }
      this.emptyReads.delete(k);
      this.known.set(k, read && !read.empty ? this.jobOf(read.values) : null);
    }
  }

  /** The job id carried by an environment with this instance's marker (exact entries only). */
  private jobOf(values: Map<string, string[]>): JobId | null {
    if (!(values.get(INSTANCE_MARKER) ?? []).includes(this.instance)) return null;
    const id = (values.get(JOB_MARKER) ?? []).find((v) => /^\d+$/.test(v));
    return id === undefined ? null : Number(id);
  }

  /** job id → pids carrying its markers, among the processes of `table`. */
  byJob(table: ProcessTable): Map<JobId, number[]> {
    const out = new Map<JobId, number[]>();
    for (const p of table.values()) {
      const id = this.known.get(key(p));
      if (id === undefined || id === null) continue;
      const list = out.get(id);
      if (list) list.push(p.pid);
      else out.set(id, [p.pid]);
    }
    return out;
  }
}

/** Indexes of one table read, so each job's lookup is cheap. */
export class TableIndex {
  readonly byGroup = new Map<number, number[]>();
  readonly bySession = new Map<number, number[]>();
  readonly children = new Map<number, number[]>();

  constructor(readonly table: ProcessTable) {
    for (const p of table.values()) {
      push(this.byGroup, p.pgid, p.pid);
      push(this.bySession, p.sid, p.pid);
      push(this.children, p.ppid, p.pid);
    }
  }
}

function push(map: Map<number, number[]>, k: number, v: number): void {
  const list = map.get(k);
  if (list) list.push(v);
  else map.set(k, [v]);
}

/** The job's main pid (running or finished) and whether it leads its own group and session. */
export function jobRoot(job: Job): { pid: number; startTicks: number | null; ownsGroup: boolean } | null {
  const s = job.state;
  if (!hasLiveProcess(s) && !isTerminal(s)) return null;
  if (s.pid === null) return null;
  return { pid: s.pid, startTicks: s.startTicks, ownsGroup: ownsProcessGroup(job) };
}

/** Jobs procd started lead their own group and session; an adopted process only if it led its group when adopted. */
export function ownsProcessGroup(job: Job): boolean {
  const command = job.spec.command;
  return command.kind !== 'adopted' || command.leadsGroup === true;
}

/**
 * Every process of a job (zombies included; callers decide what to count). `root` is the main
 * process; group/session members count only while that id cannot have been reused — the kernel
 * never hands out a pid that is still some group's or session's id, so a group that exists is
 * ours unless a different process now holds the leader's pid.
 */
export function processesOf(
  root: { pid: number; startTicks: number | null; ownsGroup: boolean },
  marked: number[],
  index: TableIndex,
  exclude: Set<number>,
): number[] {
  const found = new Set<number>();
  const leader = index.table.get(root.pid);
  const leaderIsOurs = leader !== undefined && (root.startTicks === null || leader.startTicks === root.startTicks);
  if (leaderIsOurs) found.add(root.pid);
  const reused = leader !== undefined && !leaderIsOurs;
  if (root.ownsGroup && !reused) {
    for (const pid of index.byGroup.get(root.pid) ?? []) found.add(pid);
    for (const pid of index.bySession.get(root.pid) ?? []) found.add(pid);
  }
  for (const pid of marked) found.add(pid);
  const queue = [...found];
  while (queue.length) {
    for (const child of index.children.get(queue.pop()!) ?? []) {
      if (!found.has(child)) {
        found.add(child);
        queue.push(child);
      }
    }
  }
  for (const pid of exclude) found.delete(pid);
  return [...found].sort((a, b) => a - b);
}
