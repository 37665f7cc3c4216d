// The ports of each running job, kept current by the monitor's tick (issue 15 §3): the listening
// sockets of the job's whole tree (daemon/proc/sockets.ts), published as `job.ports` on the job
// (volatile: in memory, reaching disk only with the job's next durable change) and announced
// when a job starts listening on a new socket.
//
// Cost. A tick lists the fds of each running job's processes (one readdir per pid, shared with
// the sample's fd count: fd-names.ts) and resolves them (a readlink per fd) only for a process whose fd list
// changed since the last tick. The socket tables, the expensive part (~2 ms of kernel time per
// table on a machine with a large TCP hash), are read only when a tree holds a socket inode not
// seen in the last read (a job just opened one), and otherwise every PORTS_REFRESH_MS while any
// tree holds a socket (a socket that became a listener after it was first seen; an fd number
// reused for another file). A tick with no new socket anywhere reads no table at all.

import type { Job, JobId } from '../../shared/job.js';
import { hasLiveProcess } from '../../shared/job.js';
import { socketKey, type ListeningPort } from '../../shared/ports.js';
import type { JobTable } from '../jobs/job-table.js';
import { procKey } from '../proc/cpu-sampler.js';
import { isDeadState } from '../proc/process-table.js';
import { attributeSockets, netNamespaceOf, readSocketTables, socketInodesOf, type TableSocket } from '../proc/sockets.js';
import { fdNamesIn } from './fd-names.js';
import { membersOf, type ProcessSnapshot } from './job-processes.js';

export type { ListeningPort };

/** How often fds and tables are read afresh even when nothing looks new. */
export const PORTS_REFRESH_MS = 5_000;

/** What changed between the ports a job had and the ports it has now. */
export function diffPorts(before: readonly ListeningPort[], after: readonly ListeningPort[]): { changed: boolean; added: ListeningPort[] } {
  const had = new Set(before.map(socketKey));
  const added = after.filter((p) => !had.has(socketKey(p)));
  const key = (ps: readonly ListeningPort[]) => ps.map((p) => `${socketKey(p)}@${p.pid}`).join(' ');
  return { changed: key(before) !== key(after), added };
}

/** Whether this tick must read the socket tables: a socket not classified yet, or the refresh is due. */
export function tablesDue(held: Iterable<number>, classified: ReadonlyMap<number, unknown>, refreshDue: boolean): boolean {
  let any = false;
  for (const inode of held) {
    if (!classified.has(inode)) return true;
    any = true;
  }
  return any && refreshDue;
}

/** What one process's fds were at its last reading. */
interface FdReading {
  fds: string;
  inodes: number[];
  ns: string | null;
}

export interface PortWatchOptions {
  refreshMs?: number;
  /** The tables of one namespace, through a pid in it (tests count the reads). */
  readTables?: (pid: number) => TableSocket[];
}

export class PortWatch {
  private readonly readings = new Map<string, FdReading>();
  /** Socket inode -> its listening socket, or null: not a listener (connected, unbound, not inet). */
  private classified = new Map<number, TableSocket | null>();
  private lastFullAt = -Infinity;
  /** Socket-table reads so far (for benchmarks and tests). */
  tableReads = 0;

  constructor(
    private readonly table: JobTable,
    private readonly onListening: (job: Job, added: ListeningPort[]) => void,
    private readonly opts: PortWatchOptions = {},
  ) {
    // A job without a live process listens on nothing: a finished or requeued job's ports go.
    table.on('change', ({ job }) => {
      if (!hasLiveProcess(job.state) && job.ports) table.updateVolatile(job.id, () => ({ ports: undefined }));
    });
  }

  /** One pass over the running jobs with this tick's snapshot. */
  update(read: ProcessSnapshot): void {
    const refreshDue = read.at - this.lastFullAt >= (this.opts.refreshMs ?? PORTS_REFRESH_MS);
    const trees = new Map<JobId, { pid: number; inodes: number[] }[]>();
    const namespaces = new Map<string, number>();
    const live = new Set<string>();
    for (const job of this.table.all()) {
      if (job.state.kind !== 'running') continue;
      const tree: { pid: number; inodes: number[] }[] = [];
      for (const pid of membersOf(job, read)) {
        const p = read.table.get(pid);
        if (!p || isDeadState(p.state)) continue;
        const key = procKey(p);
        live.add(key);
        const reading = this.fdReading(key, pid, fdNamesIn(read, pid) ?? [], refreshDue);
        if (reading.ns !== null && !namespaces.has(reading.ns)) namespaces.set(reading.ns, pid);
        tree.push({ pid, inodes: reading.inodes });
      }
      trees.set(job.id, tree);
    }
    for (const key of this.readings.keys()) if (!live.has(key)) this.readings.delete(key);
    if (refreshDue) this.lastFullAt = read.at;
    const held = [...trees.values()].flatMap((tree) => tree.flatMap((t) => t.inodes));
    if (tablesDue(held, this.classified, refreshDue)) this.classify(held, namespaces);
    else if (!held.length) this.classified = new Map();
    for (const [id, tree] of trees) this.publish(id, tree);
  }

  private fdReading(key: string, pid: number, names: string[], refreshDue: boolean): FdReading {
    const fds = names.join(',');
    const last = this.readings.get(key);
    if (last && last.fds === fds && !refreshDue) return last;
    const inodes = socketInodesOf(pid, names);
    const reading = { fds, inodes, ns: inodes.length ? (last?.ns ?? netNamespaceOf(pid)) : null };
    this.readings.set(key, reading);
    return reading;
  }

  private classify(held: readonly number[], namespaces: ReadonlyMap<string, number>): void {
    const read = this.opts.readTables ?? ((pid: number) => readSocketTables(pid));
    const listening = new Map<number, TableSocket>();
    for (const pid of namespaces.values()) {
      this.tableReads++;
      for (const s of read(pid)) listening.set(s.inode, s);
    }
    this.classified = new Map(held.map((inode) => [inode, listening.get(inode) ?? null]));
  }

  private publish(id: JobId, tree: readonly { pid: number; inodes: number[] }[]): void {
    const holders = new Map<number, number>();
    for (const { pid, inodes } of [...tree].sort((a, b) => a.pid - b.pid)) for (const inode of inodes) if (!holders.has(inode)) holders.set(inode, pid);
    const sockets = [...holders.keys()].flatMap((inode) => this.classified.get(inode) ?? []);
    const ports = attributeSockets(sockets, holders);
    const job = this.table.get(id);
    if (!job) return;
    const { changed, added } = diffPorts(job.ports ?? [], ports);
    if (!changed) return;
    const updated = this.table.updateVolatile(id, () => ({ ports: ports.length ? ports : undefined }));
    if (updated && added.length) this.onListening(updated, added);
  }
}
