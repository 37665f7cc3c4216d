// Linux process table: one pass over /proc/[pid]/stat, no child processes, no handles kept open.

import { readdirSync, readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';

export interface ProcInfo {
  pid: number;
  ppid: number;
  pgid: number;
  sid: number;
  /** One letter: R S D Z T t X I ... */
  state: string;
  comm: string;
  /** Field 22, clock ticks since boot: with pid, the identity of a process. */
  startTicks: number;
  utimeTicks: number;
  stimeTicks: number;
  threads: number;
  rssBytes: number;
}

/** USER_HZ is 100 on every Linux architecture Node runs on (it is fixed in the kernel ABI). */
export const CLOCK_TICKS_PER_SECOND = 100;
const PAGE_SIZE = 4096;

/** Parses /proc/<pid>/stat. comm may contain spaces and parentheses: it ends at the LAST ')'. */
export function parseStat(pid: number, text: string): ProcInfo | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const f = text.slice(close + 2).split(' ');
  // f[0] is field 3 (state); field N is f[N - 3].
  const n = (field: number) => Number(f[field - 3]);
  return {
    pid,
    comm: text.slice(open + 1, close),
    state: f[0] ?? '?',
    ppid: n(4),
    pgid: n(5),
    sid: n(6),
    utimeTicks: n(14),
    stimeTicks: n(15),
    threads: n(20),
    startTicks: n(22),
    rssBytes: n(24) * PAGE_SIZE,
  };
}

/** Reads every process once. Processes that vanish mid-scan are skipped. */
export function readProcfsTable(): Map<number, ProcInfo> {
  const table = new Map<number, ProcInfo>();
  for (const entry of readdirSync('/proc')) {
    const c = entry.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const pid = Number(entry);
    let text: string;
    try {
      text = readFileSync(`/proc/${entry}/stat`, 'latin1');
    } catch {
      continue;
    }
    const info = parseStat(pid, text);
    if (info) table.set(pid, info);
  }
  return table;
}

export async function readProcfsIdentity(pid: number): Promise<{ startTicks: number; state: string } | null> {
  try {
    const info = parseStat(pid, await readFile(`/proc/${pid}/stat`, 'latin1'));
    return info ? { startTicks: info.startTicks, state: info.state } : null;
  } catch {
    return null;
  }
}

/** The environment of a process as NUL-separated entries; null when unreadable. */
export function readEnvironEntries(pid: number): string[] | null {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0');
  } catch {
    return null;
  }
}

export async function countOpenFds(pid: number): Promise<number | null> {
  try {
    return (await readdir(`/proc/${pid}/fd`)).length;
  } catch {
    return null;
  }
}

export async function readCmdline(pid: number): Promise<string[] | null> {
  try {
    const text = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    return text.split('\0').filter((s, i, all) => s !== '' || i < all.length - 1);
  } catch {
    return null;
  }
}

let bootMs: number | null = null;
/** Boot time from /proc/stat btime, to turn start ticks into wall time. */
export function bootTimeMs(): number {
  if (bootMs === null) {
    const m = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'));
    bootMs = m ? Number(m[1]) * 1000 : 0;
  }
  return bootMs;
}
