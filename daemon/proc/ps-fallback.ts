// Where /proc is absent (macOS, BSD): one `ps` spawn per table read. Environment markers cannot
// be read this way, so the marker sweep finds nothing there: group, session and parent links
// still find the job's processes. Not exercised on Linux CI; kept small and obvious.

import { execFileSync } from 'node:child_process';
import type { ProcInfo } from './procfs.js';

export function readPsTable(): Map<number, ProcInfo> {
  const table = new Map<number, ProcInfo>();
  let text: string;
  try {
    text = execFileSync('ps', ['-axo', 'pid=,ppid=,pgid=,sess=,stat=,rss=,time=,lstart=,comm='], { encoding: 'utf8', maxBuffer: 64 << 20 });
  } catch {
    return table;
  }
  for (const line of text.split('\n')) {
    const m = /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\S+)\s+(\d+)\s+(\S+)\s+(\w+ \w+ +\d+ [\d:]+ \d+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const pid = Number(m[1]);
    const cpuSeconds = parseCpuTime(m[7]!);
    table.set(pid, {
      pid,
      ppid: Number(m[2]),
      pgid: Number(m[3]),
      sid: Number(m[4]),
      state: m[5]!.charAt(0),
      rssBytes: Number(m[6]) * 1024,
      utimeTicks: Math.round(cpuSeconds * 100),
      stimeTicks: 0,
      startTicks: Math.round(Date.parse(m[8]!) / 10),
      threads: 1,
      comm: m[9]!,
    });
  }
  return table;
}

function parseCpuTime(text: string): number {
  // [[dd-]hh:]mm:ss.cc
  const [days, rest] = text.includes('-') ? text.split('-') : ['0', text];
  const parts = (rest ?? '0').split(':').map(Number);
  let seconds = 0;
  for (const p of parts) seconds = seconds * 60 + p;
  return Number(days) * 86400 + seconds;
}
