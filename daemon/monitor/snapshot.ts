// One read of the process table and everything derived from it that callers share: indexes by
// group, session and parent, and which processes carry which job's markers. The monitor takes
// one per tick; a kill takes one before its first signal and one after the grace.

import { performance } from 'node:perf_hooks';
import type { JobId } from '../../shared/job.js';
import { jobCgroupMembers } from '../cgroup/job-cgroup.js';
import { INSTANCE_MARKER, JOB_MARKER } from '../proc/markers.js';
import { isDeadState, readEnvironKeys, readProcessTable, uptimeTicks, type ProcessTable, type ProcInfo } from '../proc/process-table.js';

const key = (p: ProcInfo) => `${p.pid}:${p.startTicks}`;

/** Empty environment reads of one process before it is taken for a process without markers. */
const EMPTY_READS_BEFORE_CACHING = 3;

/**
 * pid + start time → job id of this instance (null: not one of ours). A process's initial
 * environment never changes, so each process is read once. Safe to use from overlapping reads
 * (a tick and a kill): each call answers from its own table and its own reads.
 */
export class MarkerCache {
  private readonly known = new Map<string, JobId | null>();
  /** Processes whose environment read came back empty (mid-exec, or `env -i`): read again next time. */
  private readonly emptyReads = new Map<string, number>();

  constructor(private readonly instance: string) {}

  /** job id → pids carrying its markers among the processes of `table`; reads only processes not seen before. */
  async jobsOf(table: ProcessTable, urgent = false): Promise<Map<JobId, number[]>> {
    const ids = new Map<number, JobId | null>();
    const fresh: ProcessTable = new Map();
    const alive = new Set<string>();
    for (const p of table.values()) {
      const k = key(p);
      alive.add(k);
      const id = this.known.get(k);
      if (id !== undefined) ids.set(p.pid, id);
      else if (!isDeadState(p.state)) fresh.set(p.pid, p);
    }
    for (const k of this.known.keys()) if (!alive.has(k)) this.known.delete(k);
    for (const k of this.emptyReads.keys()) if (!alive.has(k)) this.emptyReads.delete(k);
    const reads = fresh.size ? await readEnvironKeys(fresh, [INSTANCE_MARKER, JOB_MARKER], { urgent }) : new Map();
    for (const p of fresh.values()) {
      const k = key(p);
      const read = reads.get(p.pid);
      const id = read && !read.empty ? this.jobOf(read.values) : null;
      ids.set(p.pid, id);
      if (read?.empty) {
        const tries = (this.emptyReads.get(k) ?? 0) + 1;
        if (tries < EMPTY_READS_BEFORE_CACHING) {
          this.emptyReads.set(k, tries);
          continue;
        }
      }
      this.emptyReads.delete(k);
      this.known.set(k, id);
    }
    const out = new Map<JobId, number[]>();
    for (const [pid, id] of ids) {
      if (id === null) continue;
      const list = out.get(id);
      if (list) list.push(pid);
      else out.set(id, [pid]);
    }
    return out;
  }

  /** The job id carried by an environment with this instance's marker (exact entries only). */
  private jobOf(values: Map<string, string[]>): JobId | null {
    if (!(values.get(INSTANCE_MARKER) ?? []).includes(this.instance)) return null;
    const id = (values.get(JOB_MARKER) ?? []).find((v) => /^\d+$/.test(v));
    return id === undefined ? null : Number(id);
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
      if (p.ppid !== p.pid) push(this.children, p.ppid, p.pid);
    }
  }
}

function push(map: Map<number, number[]>, k: number, v: number): void {
  const list = map.get(k);
  if (list) list.push(v);
  else map.set(k, [v]);
}

/** One process-table read with its indexes and markers: what membersOf() and the signal plan work on. */
export interface ProcessSnapshot {
  table: ProcessTable;
  index: TableIndex;
  /** job id → pids carrying that job's markers (this instance's only). */
  marked: ReadonlyMap<JobId, readonly number[]>;
  /** Job cgroup name → pids in it (this instance's only; empty without a cgroup per job). */
  cgroups: ReadonlyMap<string, readonly number[]>;
  /** The daemon itself: never a member of any job. */
  selfPid: number;
  /** Wall clock of the read (ms since the epoch). */
  at: number;
  /** Monotonic clock of the read, for rates. */
  readAtMs: number;
  /** Clock ticks since boot at the read (the clock of startTicks); null on the ps fallback. */
  uptimeTicks: number | null;
}

/** Builds a snapshot from a table read elsewhere (tests, or a caller that already has one). */
export function snapshotOf(
  table: ProcessTable,
  marked: ReadonlyMap<JobId, readonly number[]>,
  clocks: Partial<Pick<ProcessSnapshot, 'at' | 'readAtMs' | 'uptimeTicks' | 'selfPid'>> = {},
  cgroups: ReadonlyMap<string, readonly number[]> = new Map(),
): ProcessSnapshot {
  return {
    table,
    index: new TableIndex(table),
    marked,
    cgroups,
    selfPid: clocks.selfPid ?? process.pid,
    at: clocks.at ?? Date.now(),
    readAtMs: clocks.readAtMs ?? performance.now(),
    uptimeTicks: clocks.uptimeTicks ?? null,
  };
}

/** Takes snapshots for one procd instance, remembering markers from one read to the next. */
export class ProcessSnapshots {
  private readonly markers: MarkerCache;
  /** Snapshots taken so far (for tests and `daemon status`). */
  taken = 0;

  /** cgroupRoot: this instance's parent cgroup; every pid in a job's cgroup is the job's. */
  constructor(
    instance: string,
    readonly cgroupRoot: string | null = null,
  ) {
    this.markers = new MarkerCache(instance);
  }

  /** One read; `urgent` (a kill or a signal) reads without yielding to the event loop meanwhile. */
  async take(options: { urgent?: boolean } = {}): Promise<ProcessSnapshot> {
    const urgent = options.urgent ?? false;
    const table = await readProcessTable({ uid: false, urgent });
    // Clocks are read with the table, before anything yields: a process born after this is "new since the read".
    const clocks = { readAtMs: performance.now(), uptimeTicks: uptimeTicks(), at: Date.now() };
    this.taken++;
    const marked = await this.markers.jobsOf(table, urgent);
    return snapshotOf(table, marked, clocks, this.cgroupRoot ? jobCgroupMembers(this.cgroupRoot) : new Map());
  }
}
