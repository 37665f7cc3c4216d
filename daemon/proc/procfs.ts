// The Linux reader: one pass over /proc/[0-9]*/stat for the whole process table, plus the small
// per-pid reads (identity, environ markers, fds, cmdline). Files are read with synchronous
// open/read/close into a shared buffer — measured ~4x faster than fs.promises.readFile with any
// concurrency (11 µs vs 60 µs per pid) — in chunks with an event-loop yield between them, so
// a scan never blocks the daemon for long and no handle stays open between calls.

import { closeSync, fstatSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';

/** One process as seen in a single read of its /proc/<pid>/stat. */
export interface ProcInfo {
  pid: number;
  ppid: number;
  pgid: number;
  sid: number;
  /** One letter: R S D Z T t X I … (Z and X are dead). */
  state: string;
  /** Executable name, at most 15 bytes on Linux; may contain spaces and parentheses. */
  comm: string;
  /**
   * Start time in clock ticks since boot (stat field 22); with pid, the identity of a process.
   * On the ps fallback: ticks since the Unix epoch at 1 s resolution (and bootTimeMs() is 0 there).
   */
  startTicks: number;
  utimeTicks: number;
  stimeTicks: number;
  /**
   * CPU of its reaped children (cutime + cstime): where the work of a short-lived child ends up
   * once its parent has waited for it. 0 when unknown (ps fallback).
   */
  childTicks: number;
  /** Thread count; 0 when unknown (ps fallback). */
  threads: number;
  rssBytes: number;
  /** Effective owner uid, when known. */
  uid: number | null;
}

/**
 * USER_HZ, the unit of every tick count in /proc. It is a fixed kernel ABI constant (100) on
 * every architecture Node runs on — the kernel's internal HZ (250, 1000…) is converted before it
 * reaches userspace — and sysconf(_SC_CLK_TCK) returns the same constant. A test checks it
 * against /proc/uptime on the running machine.
 */
export const CLOCK_TICKS_PER_SECOND = 100;

const CHUNK = 64; // pids read per synchronous slice before yielding to the event loop
const statBuf = Buffer.allocUnsafe(4096); // a stat line is < 1.2 KiB: 16-byte comm + 52 numbers
let envBuf = Buffer.allocUnsafe(64 * 1024);

/** Errors that mean "this process is gone or not ours to read": skip it silently. */
function isSkippable(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOENT' || code === 'ESRCH' || code === 'EACCES' || code === 'EPERM' || code === 'ENOTDIR';
}

/** Parses one /proc/<pid>/stat line; null when it is malformed (e.g. empty for a vanishing pid). */
export function parseStat(line: string | Buffer, uid: number | null = null): ProcInfo | null {
  const buf = typeof line === 'string' ? Buffer.from(line) : line;
  return parseStatBytes(buf, buf.length, uid);
}

// Field numbers (stat(5), 1-based) that ProcInfo needs after the comm.
const STATE = 3, PPID = 4, PGRP = 5, SESSION = 6, UTIME = 14, STIME = 15, CUTIME = 16, CSTIME = 17, THREADS = 20, STARTTIME = 22, RSS = 24;

const statFields = new Float64Array(RSS + 1);

/**
 * Parses buf[0, len) without building a string per field (the parse is a third of a scan's
 * cost otherwise). comm is the text between the first '(' and the LAST ')': it may itself
 * contain ')', spaces and even newlines.
 */
function parseStatBytes(buf: Buffer, len: number, uid: number | null): ProcInfo | null {
  const open = buf.indexOf(0x28); // (
  const close = buf.lastIndexOf(0x29, len - 1); // )
  if (open < 1 || open >= len || close < open || close + 2 >= len) return null;
  let pid = 0;
  for (let i = 0; i < open - 1; i++) pid = pid * 10 + (buf[i]! - 48);
  const nums = statFields.fill(NaN);
  let state = '?';
  let field = STATE;
  let value = 0;
  let digits = false;
  let negative = false;
  for (let i = close + 2; i <= len && field <= RSS; i++) {
    const c = i < len ? buf[i]! : 0x20;
    if (c === 0x20 || c === 0x0a) {
      if (field === STATE) state = buf.toString('latin1', close + 2, i);
      else nums[field] = digits ? (negative ? -value : value) : NaN;
      field++;
      value = 0;
      digits = false;
      negative = false;
    } else if (c >= 48 && c <= 57) {
      value = value * 10 + (c - 48);
      digits = true;
    } else if (c === 0x2d) negative = true; // "-"
  }
  if (field <= STARTTIME || !Number.isFinite(nums[STARTTIME])) return null;
  return {
    pid,
    ppid: nums[PPID]!,
    pgid: nums[PGRP]!,
    sid: nums[SESSION]!,
    state,
    comm: buf.toString('utf8', open + 1, close),
    startTicks: nums[STARTTIME]!,
    utimeTicks: nums[UTIME]!,
    stimeTicks: nums[STIME]!,
    childTicks: nums[CUTIME]! + nums[CSTIME]!,
    threads: nums[THREADS]!,
    rssBytes: (nums[RSS] ?? 0) * pageSize(),
    uid,
  };
}

/** Reads and parses /proc/<pid>/stat through the shared buffer; null when the pid is gone. */
function readStat(pid: number | string, withUid: boolean): ProcInfo | null {
  let fd: number | undefined;
  try {
    fd = openSync(`/proc/${pid}/stat`, 'r');
    const len = readSync(fd, statBuf, 0, statBuf.length, 0);
    const uid = withUid ? fstatSync(fd).uid : null; // the /proc/<pid> inode owner is the euid
    return parseStatBytes(statBuf, len, uid);
  } catch (err) {
    if (isSkippable(err)) return null;
    throw err;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Reads /proc/<pid>/<name> whole (environ can be up to ARG_MAX); null when unreadable. */
function readWhole(pid: number, name: string): Buffer | null {
  let fd: number | undefined;
  try {
    fd = openSync(`/proc/${pid}/${name}`, 'r');
    let len = 0;
    for (;;) {
      if (len === envBuf.length) {
        const bigger = Buffer.allocUnsafe(envBuf.length * 2);
        envBuf.copy(bigger, 0, 0, len);
        envBuf = bigger;
      }
      const got = readSync(fd, envBuf, len, envBuf.length - len, null);
      if (got === 0) break;
      len += got;
    }
    return envBuf.subarray(0, len);
  } catch (err) {
    if (isSkippable(err)) return null;
    throw err;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Every process in one pass over /proc; processes that vanish mid-scan are skipped. */
export async function procfsReadTable(withUid = true, chunk = CHUNK): Promise<Map<number, ProcInfo>> {
  const table = new Map<number, ProcInfo>();
  const names = readdirSync('/proc');
  let sinceYield = 0;
  for (const name of names) {
    const c = name.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const info = readStat(name, withUid);
    if (info) table.set(info.pid, info);
    if (++sinceYield === chunk) {
      sinceYield = 0;
      await yieldToLoop();
    }
  }
  return table;
}

/** The identity of one pid right now, or null when it does not exist. */
export async function procfsReadIdentity(pid: number): Promise<{ startTicks: number; state: string } | null> {
  if (!Number.isInteger(pid) || pid <= 0) return null;
  const info = readStat(pid, false); // no owner lookup: identity checks run often
  return info ? { startTicks: info.startTicks, state: info.state } : null;
}

/** One process as a table read would show it (owner uid included), or null when it does not exist. */
export function procfsReadProc(pid: number): ProcInfo | null {
  return Number.isInteger(pid) && pid > 0 ? readStat(pid, true) : null;
}

/** Every value of `key` in a NUL-separated environ block (exact entries only, in order). */
export function environValues(env: Buffer, key: string): string[] {
  const needle = Buffer.from(`${key}=`);
  const values: string[] = [];
  let at = env.indexOf(needle);
  while (at >= 0) {
    if (at === 0 || env[at - 1] === 0) {
      const start = at + needle.length;
      const end = env.indexOf(0, start);
      values.push(env.toString('utf8', start, end < 0 ? env.length : end));
    }
    at = env.indexOf(needle, at + 1);
  }
  return values;
}

/**
 * Calls `visit` with the environ of every live process in `table` that this uid may read. An
 * empty block is passed on too: a process inside execve() reads as empty for a moment, and
 * callers that cache must not mistake that for "no markers".
 */
export async function procfsEachEnviron(table: Map<number, ProcInfo>, visit: (pid: number, env: Buffer) => void, chunk = CHUNK): Promise<void> {
  const me = process.getuid?.() ?? null;
  let sinceYield = 0;
  for (const info of table.values()) {
    if (info.state === 'Z' || info.state === 'X') continue; // a zombie's environ is empty anyway
    // Another user's environ is unreadable (EACCES) unless we are root: skip the attempt.
    if (me !== null && me !== 0 && info.uid !== null && info.uid !== me) continue;
    const env = readWhole(info.pid, 'environ');
    if (env) visit(info.pid, env);
    if (++sinceYield === chunk) {
      sinceYield = 0;
      await yieldToLoop();
    }
  }
}

/** Number of open file descriptors of `pid`; null when not readable. */
export async function procfsCountOpenFds(pid: number): Promise<number | null> {
  // Synchronous, like the other /proc reads: one small readdir costs less than the promise
  // machinery around it, and the monitor calls this for every process of every job each tick.
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return null;
  }
}

/** argv of `pid` ([] for kernel threads and zombies); null when not readable. */
export async function procfsReadCmdline(pid: number): Promise<string[] | null> {
  const raw = readWhole(pid, 'cmdline');
  if (!raw) return null;
  const parts = raw.toString('utf8').split('\0');
  if (parts.at(-1) === '') parts.pop();
  return parts;
}

const uptimeBuf = Buffer.allocUnsafe(64);
/** Clock ticks since boot now, from /proc/uptime (10 ms resolution): the clock startTicks counts on. */
export function procfsUptimeTicks(): number | null {
  try {
    const fd = openSync('/proc/uptime', 'r');
    try {
      const text = uptimeBuf.toString('latin1', 0, readSync(fd, uptimeBuf, 0, uptimeBuf.length, 0));
      const seconds = Number.parseFloat(text);
      return Number.isFinite(seconds) ? Math.round(seconds * CLOCK_TICKS_PER_SECOND) : null;
    } finally {
      closeSync(fd);
    }
  } catch {
    return null;
  }
}

let bootMs: number | undefined;
/** Wall-clock boot time from /proc/stat btime (1 s resolution), read once. */
export function procfsBootTimeMs(): number {
  if (bootMs === undefined) {
    const m = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'latin1'));
    bootMs = m ? Number(m[1]) * 1000 : Date.now() - Number(readFileSync('/proc/uptime', 'latin1').split(' ')[0]) * 1000;
  }
  return bootMs;
}

let page: number | undefined;
/** The kernel page size (stat's rss is in pages): from the first mapping in /proc/self/smaps, else 4096. */
export function pageSize(): number {
  if (page === undefined) {
    page = 4096;
    try {
      const fd = openSync('/proc/self/smaps', 'r');
      try {
        const buf = Buffer.allocUnsafe(4096);
        const m = /KernelPageSize:\s+(\d+) kB/.exec(buf.toString('latin1', 0, readSync(fd, buf, 0, buf.length, 0)));
        if (m) page = Number(m[1]) * 1024;
      } finally {
        closeSync(fd);
      }
    } catch {
      // no smaps (restricted /proc): 4096 is the page size of x86-64 and most arm64 kernels
    }
  }
  return page;
}
