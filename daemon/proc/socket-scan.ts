// Who holds each listening socket of the machine (`procd ports`, `kill --port`), without blocking
// the event loop in proportion to every fd of every process: the socket tables are read first (the
// inodes that listen, per network namespace), then the fds are resolved in slices with an
// event-loop yield between them (as the monitor's procfs reader does), lowest pid first, stopping
// once every listening inode has a holder.

import { readlinkSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { readSocketTables, type TableSocket } from './sockets.js';

/** fd links (or namespace links) resolved per synchronous slice before yielding to the event loop. */
export const LINKS_PER_SLICE = 256;

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export interface HolderScan {
  /** Every listening socket: the daemon's namespace first, then each other one a visible process lives in. */
  sockets: TableSocket[];
  /** inode -> the lowest visible pid holding it. */
  holders: Map<number, number>;
  /** fd links read (the scan stops once every listening socket has a holder). */
  fdsRead: number;
}

export interface ScanOptions {
  slice?: number;
  /** The tables of a namespace, by one pid in it ('self': the daemon's); tests give their own. */
  tablesOf?: (pid: number | 'self') => TableSocket[];
}

export async function scanListeningHolders(pids: readonly number[], options: ScanOptions = {}): Promise<HolderScan> {
  const slice = options.slice ?? LINKS_PER_SLICE;
  const tablesOf = options.tablesOf ?? ((pid: number | 'self') => readSocketTables(pid));
  let budget = slice;
  const spent = (): boolean => {
    if (--budget > 0) return false;
    budget = slice;
    return true;
  };
  const sorted = [...pids].sort((a, b) => a - b);
  const namespaces = new Map<string, number | 'self'>([[linkOf('/proc/self/ns/net') ?? 'self', 'self']]);
  for (const pid of sorted) {
    // Unreadable: another user's process, whose fds cannot be read either.
    const ns = linkOf(`/proc/${pid}/ns/net`);
    if (ns !== null && !namespaces.has(ns)) namespaces.set(ns, pid);
    if (spent()) await yieldToLoop();
  }
  const sockets: TableSocket[] = [];
  for (const pid of namespaces.values()) {
    sockets.push(...tablesOf(pid));
    await yieldToLoop();
  }
  const unheld = new Set(sockets.map((s) => s.inode));
  const holders = new Map<number, number>();
  let fdsRead = 0;
  for (const pid of sorted) {
    if (!unheld.size) break;
    // Listed off the loop: one readdir of a 20k-fd process alone is ~20 ms.
    const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
    for (const fd of fds) {
      const inode = socketInode(linkOf(`/proc/${pid}/fd/${fd}`));
      fdsRead++;
      if (inode !== null && unheld.delete(inode)) holders.set(inode, pid);
      if (!unheld.size) break;
      if (spent()) await yieldToLoop();
    }
  }
  return { sockets, holders, fdsRead };
}

function socketInode(link: string | null): number | null {
  const m = link === null ? null : /^socket:\[(\d+)\]$/.exec(link);
  return m ? Number(m[1]) : null;
}

function linkOf(path: string): string | null {
  try {
    return readlinkSync(path);
  } catch {
    return null; // ENOENT: the process or fd went away meanwhile; EACCES: not ours to see
  }
}
