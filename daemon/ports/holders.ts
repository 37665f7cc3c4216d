// Who holds which listening socket (`procd ports`, `kill --port`): every process the daemon can
// see, attributed to the live procd job it belongs to (the monitor's membership rule) when it does.
// Read fresh at each call: a port's holder must be right the moment it is asked, not a tick ago.

import { hasLiveProcess, type Job } from '../../shared/job.js';
import type { ResultOf } from '../../shared/methods.js';
import { comparePorts } from '../../shared/ports.js';
import { membersOf, type ProcessSnapshot } from '../monitor/job-processes.js';
import { isDeadState, readCmdline } from '../proc/process-table.js';
import { scanListeningHolders } from '../proc/socket-scan.js';
import type { TableSocket } from '../proc/sockets.js';

export type PortHolder = ResultOf<'ports'>[number];
type JobRefOut = NonNullable<PortHolder['job']>;

/**
 * The rows of `ports` from what was read: one per listening socket, sorted by port. A socket no
 * visible process holds is someone else's: kept only with `all`, without pid or command.
 */
export function portRows(sockets: Iterable<TableSocket>, holders: ReadonlyMap<number, number>, jobOf: ReadonlyMap<number, JobRefOut>, commands: ReadonlyMap<number, string | null>, all: boolean): PortHolder[] {
  const rows: PortHolder[] = [];
  const seen = new Set<number>();
  for (const s of sockets) {
    if (seen.has(s.inode)) continue;
    seen.add(s.inode);
    const pid = holders.get(s.inode) ?? null;
    if (pid === null && !all) continue;
    const base = { port: s.port, protocol: s.protocol, address: s.address, uid: s.uid };
    rows.push({ ...base, pid, command: pid === null ? null : (commands.get(pid) ?? null), job: pid === null ? null : (jobOf.get(pid) ?? null) });
  }
  return rows.sort((a, b) => comparePorts({ ...a, pid: a.pid ?? 0 }, { ...b, pid: b.pid ?? 0 }));
}

/** Each process of a live job -> that job (the monitor's membership rule: group, session, markers, cgroup, descent). */
export function jobsByPid(jobs: Iterable<Job>, snapshot: ProcessSnapshot): Map<number, JobRefOut> {
  const out = new Map<number, JobRefOut>();
  for (const job of jobs) {
    if (!hasLiveProcess(job.state)) continue;
    for (const pid of membersOf(job, snapshot)) if (!out.has(pid)) out.set(pid, { id: job.id, name: job.name });
  }
  return out;
}

/** Every listening socket with its holder, read now. */
export async function findPortHolders(jobs: Iterable<Job>, snapshot: ProcessSnapshot, all: boolean): Promise<PortHolder[]> {
  const pids = [...snapshot.table.values()].filter((p) => !isDeadState(p.state) && p.pid !== snapshot.selfPid).map((p) => p.pid);
  // Tables first, then fds in slices that yield to the event loop (a process with 20k fds must not stall the daemon).
  const { sockets, holders } = await scanListeningHolders(pids);
  const holding = new Set(sockets.flatMap((s) => holders.get(s.inode) ?? []));
  const commands = new Map<number, string | null>();
  await Promise.all([...holding].map(async (pid) => commands.set(pid, (await readCmdline(pid))?.join(' ') || null)));
  return portRows(sockets, holders, jobsByPid(jobs, snapshot), commands, all);
}
