// The platform-neutral view of processes used by the kill procedure and the monitor: /proc on
// Linux (one pass, no spawns), one `ps` elsewhere.

import { existsSync } from 'node:fs';
import { readPsTable } from './ps-fallback.js';
import { readEnvironEntries, readProcfsIdentity, readProcfsTable, type ProcInfo } from './procfs.js';

export type { ProcInfo } from './procfs.js';
export { bootTimeMs, CLOCK_TICKS_PER_SECOND, countOpenFds, readCmdline } from './procfs.js';

const HAVE_PROC = process.platform === 'linux' && existsSync('/proc/self/stat');

export type ProcessTable = Map<number, ProcInfo>;

/** Every process on the machine, read once. */
export async function readProcessTable(): Promise<ProcessTable> {
  return HAVE_PROC ? readProcfsTable() : readPsTable();
}

/** A zombie has exited: it only waits for its parent to reap it. Never count it as alive. */
export function isDeadState(state: string): boolean {
  return state === 'Z' || state === 'X' || state === 'x';
}

export async function readIdentity(pid: number): Promise<{ startTicks: number; state: string } | null> {
  if (HAVE_PROC) return readProcfsIdentity(pid);
  const info = readPsTable().get(pid);
  return info ? { startTicks: info.startTicks, state: info.state } : null;
}

/** Alive = exists, is not a zombie, and (when known) started at the same tick: a reused pid is not alive. */
export async function isAlive(pid: number, startTicks?: number | null): Promise<boolean> {
  const id = await readIdentity(pid);
  if (!id || isDeadState(id.state)) return false;
  return startTicks === undefined || startTicks === null || id.startTicks === startTicks;
}

/**
 * Pids (owned by this user) whose environment holds every `KEY=VALUE` entry of `entries`, exactly:
 * PROCD_JOB_ID=12 never matches PROCD_JOB_ID=123 or a value that merely contains it.
 */
export async function findMarked(table: ProcessTable, entries: string[]): Promise<number[]> {
  if (!HAVE_PROC || entries.length === 0) return [];
  const found: number[] = [];
  for (const [pid, info] of table) {
    if (isDeadState(info.state) || pid === process.pid) continue;
    const env = readEnvironEntries(pid);
    if (env && entries.every((e) => env.includes(e))) found.push(pid);
  }
  return found;
}

export function membersOfGroup(table: ProcessTable, pgid: number): number[] {
  return [...table.values()].filter((p) => p.pgid === pgid).map((p) => p.pid);
}

export function membersOfSession(table: ProcessTable, sid: number): number[] {
  return [...table.values()].filter((p) => p.sid === sid).map((p) => p.pid);
}

/** All descendants by parent links (pid order does not matter, so pid wrap-around is harmless). */
export function descendantsOf(table: ProcessTable, roots: number[]): number[] {
  const children = new Map<number, number[]>();
  for (const p of table.values()) {
    const list = children.get(p.ppid);
    if (list) list.push(p.pid);
    else children.set(p.ppid, [p.pid]);
  }
  const seen = new Set<number>(roots);
  const queue = [...roots];
  const out: number[] = [];
  while (queue.length) {
    const pid = queue.pop()!;
    for (const child of children.get(pid) ?? []) {
      if (seen.has(child)) continue;
      seen.add(child);
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}
