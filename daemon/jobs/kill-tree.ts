// "Kill means gone": find every process of a job before the first signal (its process group,
// its session, descendants by parent links, and anything carrying PROCD_JOB_ID=<id> — which
// catches setsid'd and double-forked escapees), signal them all, wait the grace period, then
// SIGKILL whatever is left (including anything that appeared meanwhile) and report who needed it.

import { setTimeout as delay } from 'node:timers/promises';
import { descendantsOf, findMarked, isAlive, membersOfGroup, membersOfSession, readProcessTable, type ProcInfo } from '../proc/process-table.js';

export const JOB_MARKER = 'PROCD_JOB_ID';
/** Names the daemon home a job belongs to, so two procd homes never sweep each other's job 3. */
export const INSTANCE_MARKER = 'PROCD_INSTANCE';

export interface KillTarget {
  jobId: number;
  /** Value of PROCD_INSTANCE for this daemon's jobs. */
  instance: string;
  /** The job's main process: leader of its own session and process group (unless adopted). */
  pid: number;
  /**
   * Whether the job owns the process group and session named by `pid`. False for an adopted
   * process that is not a group leader: signalling its group could hit the shell that started it.
   */
  ownsGroup: boolean;
  /** Processes never to signal (the job's shim, the daemon itself). */
  exclude: (number | null)[];
}

export interface TreeKillResult {
  signalled: number[];
  forced: number[];
  /** Processes still alive after SIGKILL and the final wait (uninterruptible sleep, another user). */
  survivors: number[];
}

export function markerEntries(target: { jobId: number; instance: string }): string[] {
  return [`${JOB_MARKER}=${target.jobId}`, `${INSTANCE_MARKER}=${target.instance}`];
}

/** Every live process that belongs to the job right now, keyed by pid with its start time. */
export async function findJobProcesses(target: KillTarget): Promise<Map<number, ProcInfo>> {
  const table = await readProcessTable({ uid: false });
  const found = new Set<number>();
  if (target.ownsGroup) {
    for (const pid of membersOfGroup(table, target.pid)) found.add(pid);
    for (const pid of membersOfSession(table, target.pid)) found.add(pid);
  }
  if (table.has(target.pid)) found.add(target.pid);
  for (const pid of await findMarked(table, markerEntries(target))) found.add(pid);
  for (const pid of descendantsOf(table, [...found])) found.add(pid);
  const result = new Map<number, ProcInfo>();
  const excluded = new Set([...target.exclude.filter((p): p is number => p !== null), process.pid]);
  for (const pid of found) {
    const info = table.get(pid);
    // Zombies are already dead: signalling them does nothing, and counting them would be a lie.
    if (!info || excluded.has(pid) || info.state === 'Z' || info.state === 'X') continue;
    result.set(pid, info);
  }
  return result;
}

function send(pid: number, signal: NodeJS.Signals | number): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false; // ESRCH: already gone; EPERM: not ours
  }
}

/** Signals the job's group and every found process once, without escalation. */
export async function signalJob(target: KillTarget, signal: NodeJS.Signals | number): Promise<number[]> {
  const procs = await findJobProcesses(target);
  if (target.ownsGroup) send(-target.pid, signal); // the group, even when its leader is gone
  const signalled: number[] = [];
  for (const pid of procs.keys()) if (send(pid, signal) || !(await isAlive(pid))) signalled.push(pid);
  return signalled.sort((a, b) => a - b);
}

async function alive(procs: Map<number, ProcInfo>): Promise<number[]> {
  const checks = await Promise.all([...procs].map(async ([pid, info]) => ((await isAlive(pid, info.startTicks)) ? pid : -1)));
  return checks.filter((pid) => pid > 0);
}

/** The full stop: signal, grace, SIGKILL what is left, and wait until it is gone. */
export async function killTree(target: KillTarget, signal: NodeJS.Signals | number, graceMs: number, pollMs = 25): Promise<TreeKillResult> {
  const first = await findJobProcesses(target);
  if (target.ownsGroup) send(-target.pid, signal);
  for (const pid of first.keys()) send(pid, signal);
  const signalled = [...first.keys()].sort((a, b) => a - b);

  const deadline = Date.now() + graceMs;
  let remaining = await alive(first);
  while (remaining.length > 0 && Date.now() < deadline) {
    await delay(Math.min(pollMs, Math.max(1, deadline - Date.now())));
    remaining = await alive(first);
  }

  // After the grace: look again (a dying process may have spawned more), and SIGKILL all of it.
  const now = await findJobProcesses(target);
  for (const pid of remaining) if (!now.has(pid) && first.has(pid)) now.set(pid, first.get(pid)!);
  const forced = [...now.keys()].sort((a, b) => a - b);
  if (forced.length > 0) {
    if (target.ownsGroup) send(-target.pid, 'SIGKILL');
    for (const pid of forced) send(pid, 'SIGKILL');
  }
  const killDeadline = Date.now() + 2000;
  let survivors = await alive(now);
  while (survivors.length > 0 && Date.now() < killDeadline) {
    await delay(pollMs);
    for (const pid of survivors) send(pid, 'SIGKILL');
    survivors = await alive(now);
  }
  return { signalled, forced, survivors };
}
