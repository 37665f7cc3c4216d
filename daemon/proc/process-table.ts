// The platform-neutral view of processes used by the kill procedure and the monitor: /proc on
// Linux (one pass, no spawns), one `ps` per call elsewhere. Pure helpers over a table live here.

import { existsSync } from 'node:fs';
import {
  CLOCK_TICKS_PER_SECOND,
  environValues,
  pageSize as procfsPageSize,
  procfsBootTimeMs,
  procfsCountOpenFds,
  procfsEachEnviron,
  procfsReadCmdline,
  procfsReadIdentity,
  procfsReadProc,
  procfsReadTable,
  procfsUptimeTicks,
  type ProcInfo,
} from './procfs.js';
import { pidAlive } from '../../shared/instance-lock-address.js';
import { psEachEnviron, psReadIdentity, psReadTable } from './ps-fallback.js';

export type { ProcInfo } from './procfs.js';
export { CLOCK_TICKS_PER_SECOND };

/** pid → process, from one read. */
export type ProcessTable = Map<number, ProcInfo>;
/** Identity of a live or zombie pid: with the pid, startTicks tells a reused pid apart. */
export interface ProcIdentity {
  startTicks: number;
  state: string;
}

/** True when this machine has a usable /proc (Linux); otherwise `ps` is used. */
export const HAVE_PROCFS = process.platform === 'linux' && existsSync('/proc/self/stat');

/** Options for readProcessTable. */
export interface ReadTableOptions {
  /** Read each process's owner uid (one fstat per pid, ~15% of a /proc scan). Default true. */
  uid?: boolean;
  /**
   * Read without yielding to the event loop (a kill: a busy loop must not stretch the time
   * between the read and the signal). Default false: large tables are read in slices.
   */
  urgent?: boolean;
}

/** Processes read per synchronous slice when urgent: every table this daemon is likely to see. */
const URGENT_CHUNK = 8192;

/** Every process on the machine, read in one pass; processes that vanish mid-scan are skipped. */
export function readProcessTable(options: ReadTableOptions = {}): Promise<ProcessTable> {
  return HAVE_PROCFS ? procfsReadTable(options.uid ?? true, options.urgent ? URGENT_CHUNK : undefined) : psReadTable();
}

/** Z (zombie) and X/x (dead) have exited and only wait to be reaped: never alive. */
export function isDeadState(state: string): boolean {
  return state === 'Z' || state === 'X' || state === 'x';
}

/** The current identity of `pid`, or null when no such process exists (or cannot be known). */
export async function readIdentity(pid: number): Promise<ProcIdentity | null> {
  if (HAVE_PROCFS) return procfsReadIdentity(pid);
  try {
    return await psReadIdentity(pid);
  } catch {
    return null; // no ps at all
  }
}

/** Alive = exists, is not a zombie, and (when startTicks is given) is the same process, not a reused pid. */
export async function isAlive(pid: number, startTicks?: number | null): Promise<boolean> {
  let id: ProcIdentity | null;
  try {
    id = HAVE_PROCFS ? await procfsReadIdentity(pid) : await psReadIdentity(pid);
  } catch {
    return Number.isInteger(pid) && pid > 0 && pidAlive(pid); // no ps: existence is all we can learn
  }
  if (!id || isDeadState(id.state)) return false;
  return startTicks === undefined || startTicks === null || id.startTicks === startTicks;
}

/** Calls `visit(pid, valuesOf, empty)` for each live process in `table` whose environment this user can read. */
async function eachEnviron(table: ProcessTable, visit: (pid: number, valuesOf: (key: string) => string[], empty: boolean) => void, urgent = false): Promise<void> {
  if (HAVE_PROCFS) return procfsEachEnviron(table, (pid, env) => visit(pid, (key) => environValues(env, key), env.length === 0), urgent ? URGENT_CHUNK : undefined);
  return psEachEnviron((pid, words) => {
    const info = table.get(pid);
    if (!info || isDeadState(info.state)) return;
    visit(pid, (key) => words.filter((w) => w.startsWith(`${key}=`)).map((w) => w.slice(key.length + 1)), false);
  });
}

/** What one environment read found for a process: the values of each asked-for key, or `empty`. */
export type EnvironRead = { empty: true } | { empty: false; values: Map<string, string[]> };

/**
 * The values of `keys` in the environment of each live process of `table`. A pid is missing
 * when its environment could not be read (another user's, vanished); `empty` means the read
 * succeeded but returned nothing, which is what a process inside execve() looks like.
 */
export async function readEnvironKeys(table: ProcessTable, keys: readonly string[], options: Pick<ReadTableOptions, 'urgent'> = {}): Promise<Map<number, EnvironRead>> {
  const out = new Map<number, EnvironRead>();
  await eachEnviron(
    table,
    (pid, valuesOf, empty) => {
      out.set(pid, empty ? { empty: true } : { empty: false, values: new Map(keys.map((k) => [k, valuesOf(k)])) });
    },
    options.urgent,
  );
  return out;
}

/**
 * Environment markers. With `key` (and optionally `value`): value → pids of the processes in
 * `table` carrying an exact `key=value` entry. With a list of `KEY=VALUE` entries: the pids
 * carrying every one of them. Exact entries only: PROCD_JOB_ID=12 never matches
 * PROCD_JOB_ID=123, X_PROCD_JOB_ID=12, or a value that merely contains the text. Zombies and
 * unreadable processes (another user's, vanished) are skipped.
 */
export function findMarked(table: ProcessTable, key: string, value?: string): Promise<Map<string, number[]>>;
export function findMarked(table: ProcessTable, entries: readonly string[]): Promise<number[]>;
export async function findMarked(table: ProcessTable, keyOrEntries: string | readonly string[], value?: string): Promise<Map<string, number[]> | number[]> {
  if (typeof keyOrEntries !== 'string') {
    const wanted = keyOrEntries.map((e) => {
      const eq = e.indexOf('=');
      return eq < 0 ? { key: e, value: '' } : { key: e.slice(0, eq), value: e.slice(eq + 1) };
    });
    const pids: number[] = [];
    if (wanted.length === 0) return pids;
    await eachEnviron(table, (pid, valuesOf) => {
      if (wanted.every((w) => valuesOf(w.key).includes(w.value))) pids.push(pid);
    });
    return pids.sort((a, b) => a - b);
  }
  const byValue = new Map<string, number[]>();
  await eachEnviron(table, (pid, valuesOf) => {
    for (const v of new Set(valuesOf(keyOrEntries))) {
      if (value !== undefined && v !== value) continue;
      const list = byValue.get(v);
      if (list) list.push(pid);
      else byValue.set(v, [pid]);
    }
  });
  for (const list of byValue.values()) list.sort((a, b) => a - b);
  return byValue;
}

/** True when `pid` carries every `KEY=VALUE` entry (one process read where /proc exists). */
export async function carriesEntries(pid: number, entries: readonly string[]): Promise<boolean> {
  const info = HAVE_PROCFS ? procfsReadProc(pid) : ((await psReadTable()).get(pid) ?? null);
  if (!info) return false;
  return (await findMarked(new Map([[pid, info]]), entries)).includes(pid);
}

/** Pids whose process group is `pgid` (zombies included), ascending. */
export function membersOfGroup(table: ProcessTable, pgid: number): number[] {
  return [...table.values()].filter((p) => p.pgid === pgid).map((p) => p.pid).sort((a, b) => a - b);
}

/** Pids whose session is `sid` (zombies included), ascending. */
export function membersOfSession(table: ProcessTable, sid: number): number[] {
  return [...table.values()].filter((p) => p.sid === sid).map((p) => p.pid).sort((a, b) => a - b);
}

/**
 * Every strict descendant of `roots` by parent links, ascending (a root is listed only when it
 * descends from another root). Pid order is never assumed, so pid wrap-around is harmless.
 */
export function descendantsOf(table: ProcessTable, roots: readonly number[]): number[] {
  const children = new Map<number, number[]>();
  for (const p of table.values()) {
    if (p.ppid === p.pid) continue;
    const list = children.get(p.ppid);
    if (list) list.push(p.pid);
    else children.set(p.ppid, [p.pid]);
  }
  const seen = new Set<number>();
  const queue = [...roots];
  const out: number[] = [];
  while (queue.length > 0) {
    for (const child of children.get(queue.pop()!) ?? []) {
      if (seen.has(child)) continue;
      seen.add(child);
      out.push(child);
      queue.push(child);
    }
  }
  return out.sort((a, b) => a - b);
}

/** Open file descriptors of `pid`; null when not readable (and always on the ps fallback). */
export function countOpenFds(pid: number): Promise<number | null> {
  return HAVE_PROCFS ? procfsCountOpenFds(pid) : Promise.resolve(null);
}

/** argv of `pid`; null when not readable (and always on the ps fallback, which loses argv boundaries). */
export function readCmdline(pid: number): Promise<string[] | null> {
  return HAVE_PROCFS ? procfsReadCmdline(pid) : Promise.resolve(null);
}

/** Clock ticks since boot right now (the clock of startTicks); null on the ps fallback. */
export function uptimeTicks(): number | null {
  return HAVE_PROCFS ? procfsUptimeTicks() : null;
}

/** Wall-clock ms of boot: bootTimeMs() + startTicks * 1000 / CLOCK_TICKS_PER_SECOND is a start time. 0 on the ps fallback, whose ticks count from the epoch. */
export function bootTimeMs(): number {
  return HAVE_PROCFS ? procfsBootTimeMs() : 0;
}

/** Wall-clock start time (ms since the epoch) of a process from its startTicks. */
export function startTimeMs(startTicks: number): number {
  return bootTimeMs() + (startTicks * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** The kernel page size on Linux; 4096 elsewhere (ps reports RSS in KiB, so it is not needed there). */
export function pageSize(): number {
  return HAVE_PROCFS ? procfsPageSize() : 4096;
}
