// Where /proc is absent (macOS, BSD): one `ps` spawn per call. Start times come from `lstart`
// (1 s resolution) as ticks since the Unix epoch, so pid + startTicks is still an identity.
// Only the procps flavour of this path runs on the Linux CI (see the unit test); macOS's `ps`
// (-E for environments, no session column) cannot be exercised here.

import { execFile } from 'node:child_process';
import { CLOCK_TICKS_PER_SECOND, type ProcInfo } from './procfs.js';

const DARWIN = process.platform === 'darwin';
// macOS's `sess` is a kernel pointer, not a session id, and it has no `sid`: sid is -1 there.
const TABLE_COLUMNS = `pid=,ppid=,pgid=,${DARWIN ? '' : 'sid=,'}stat=,uid=,rss=,time=,lstart=,ucomm=`;
const LSTART = String.raw`(\w{3} \w{3} +\d+ \d\d:\d\d:\d\d \d{4})`;
const ROW = new RegExp(String.raw`^\s*(\d+)\s+(\d+)\s+(\d+)\s+${DARWIN ? '()' : String.raw`(\d+)\s+`}(\S+)\s+(\d+)\s+(\d+)\s+(\S+)\s+${LSTART} ?(.*)$`);

/** Runs ps in the C locale; resolves stdout ('' when ps exits non-zero, e.g. no such pid). Rejects with ENOENT when there is no ps. */
function ps(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('ps', args, { encoding: 'utf8', maxBuffer: 256 << 20, env: { ...process.env, LC_ALL: 'C', LANG: 'C' } }, (err, stdout) => {
      if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(Object.assign(new Error(`no /proc and no \`ps\` on PATH: cannot list processes on ${process.platform}`), { code: 'ENOENT' }));
      } else resolve(err ? '' : stdout);
    });
  });
}

/** `lstart` text (local time, C locale) → ticks since the epoch, whole seconds. */
function lstartTicks(text: string): number {
  return Math.round(Date.parse(text) / 1000) * CLOCK_TICKS_PER_SECOND;
}

/** `time` text, `[dd-]hh:mm:ss` (procps) or `mm:ss.cc` (BSD/macOS) → seconds. */
export function parseCpuTime(text: string): number {
  const dash = text.indexOf('-');
  const days = dash < 0 ? 0 : Number(text.slice(0, dash));
  let seconds = 0;
  for (const part of text.slice(dash + 1).split(':')) seconds = seconds * 60 + Number(part);
  return days * 86400 + seconds;
}

/** Parses one row of TABLE_COLUMNS output; null for anything else. */
export function parsePsRow(line: string): ProcInfo | null {
  const m = ROW.exec(line);
  if (!m) return null;
  return {
    pid: Number(m[1]),
    ppid: Number(m[2]),
    pgid: Number(m[3]),
    sid: m[4] ? Number(m[4]) : -1,
    state: (m[5] ?? '?').charAt(0),
    uid: Number(m[6]),
    rssBytes: Number(m[7]) * 1024,
    utimeTicks: Math.round(parseCpuTime(m[8] ?? '0') * CLOCK_TICKS_PER_SECOND), // user+system: ps has no portable split
    stimeTicks: 0,
    childTicks: 0,
    startTicks: lstartTicks(m[9] ?? ''),
    threads: 0,
    comm: m[10] ?? '',
  };
}

/** Every process, from one `ps` spawn. */
export async function psReadTable(): Promise<Map<number, ProcInfo>> {
  const table = new Map<number, ProcInfo>();
  for (const line of (await ps(['-A', '-o', TABLE_COLUMNS])).split('\n')) {
    const info = parsePsRow(line);
    if (info) table.set(info.pid, info);
  }
  return table;
}

/** Identity of one pid, or null when it does not exist. Rejects (ENOENT) when there is no ps. */
export async function psReadIdentity(pid: number): Promise<{ startTicks: number; state: string } | null> {
  if (!Number.isInteger(pid) || pid <= 0) return null;
  const m = new RegExp(String.raw`^\s*(\S+)\s+${LSTART}`).exec(await ps(['-o', 'stat=,lstart=', '-p', String(pid)]));
  return m ? { state: (m[1] ?? '?').charAt(0), startTicks: lstartTicks(m[2] ?? '') } : null;
}

/** Calls `visit` with the whitespace-separated words (argv, then environment) of every readable process, from one `ps` spawn. */
export async function psEachEnviron(visit: (pid: number, words: string[]) => void): Promise<void> {
  // macOS: -E adds the environment; procps and the BSDs: the BSD-style `e` flag.
  const args = DARWIN ? ['-A', '-ww', '-E', '-o', 'pid=,command='] : ['axeww', '-o', 'pid=,args='];
  for (const line of (await ps(args)).split('\n')) {
    const words = line.trim().split(/\s+/);
    const pid = Number(words.shift());
    if (Number.isInteger(pid) && pid > 0) visit(pid, words);
  }
}
