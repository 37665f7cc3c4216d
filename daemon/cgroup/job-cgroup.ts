// The acting layer of a cgroup per job: create, read, kill and remove `<root>/job-<id>`, where
// root is this instance's parent cgroup (see containment.ts). Nothing here looks outside root.

import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

const JOB_DIR = /^job-([1-9][0-9]*)$/;

export function jobCgroupPath(root: string, id: number): string {
  return join(root, `job-${id}`);
}

/** Creates the job's cgroup (an existing one is reused: a launch retried after a crash). */
export async function createJobCgroup(root: string, id: number): Promise<string> {
  const path = jobCgroupPath(root, id);
  await mkdir(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'EEXIST') throw err;
  });
  return path;
}

/** Parses cgroup.procs: one pid a line. */
export function parseProcs(text: string): number[] {
  return text
    .split('\n')
    .filter((l) => /^[1-9][0-9]*$/.test(l))
    .map(Number);
}

/** job id → pids in its cgroup, for every job cgroup below root (sync: read with the process table). */
export function jobCgroupMembers(root: string): Map<number, number[]> {
  const found = new Map<number, number[]>();
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return found;
  }
  for (const name of names) {
    const m = JOB_DIR.exec(name);
    if (!m) continue;
    try {
      const pids = parseProcs(readFileSync(join(root, name, 'cgroup.procs'), 'utf8'));
      if (pids.length) found.set(Number(m[1]), pids);
    } catch {
      // removed meanwhile
    }
  }
  return found;
}

/** `populated 0` in cgroup.events: nothing in the cgroup (or below) runs any more. Null: unreadable. */
export async function isPopulated(path: string): Promise<boolean | null> {
  const text = await readFile(join(path, 'cgroup.events'), 'utf8').catch(() => null);
  const m = text === null ? null : /^populated ([01])$/m.exec(text);
  return m ? m[1] === '1' : null;
}

/**
 * SIGKILLs everything in the cgroup: cgroup.kill (Linux 5.14+) where present, else each pid of
 * cgroup.procs (repeated a few times: a fork may race the read). Returns false if the cgroup is gone.
 */
export async function killCgroup(path: string): Promise<boolean> {
  try {
    await writeFile(join(path, 'cgroup.kill'), '1');
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && (await isPopulated(path)) === null) return false;
  }
  for (let round = 0; round < 3; round++) {
    const text = await readFile(join(path, 'cgroup.procs'), 'utf8').catch(() => '');
    const pids = parseProcs(text);
    if (!pids.length) break;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }
  return true;
}

/** Removes the job's cgroup when it is empty; true when it is gone. A populated one stays (EBUSY). */
export async function removeJobCgroup(root: string, id: number): Promise<boolean> {
  try {
    await rmdir(jobCgroupPath(root, id));
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

/** Moves `pid` into the cgroup at `path` (tests and adoption; the shims write "0" themselves). */
export function joinCgroup(path: string, pid: number): void {
  writeFileSync(join(path, 'cgroup.procs'), String(pid));
}

/** `frozen 0|1` in cgroup.events; null when unreadable (no freezer, or the cgroup is gone). */
export function parseFrozen(events: string): boolean | null {
  const m = /^frozen ([01])$/m.exec(events);
  return m ? m[1] === '1' : null;
}

/** Whether the cgroup at `path` can be frozen (cgroup v2 has cgroup.freeze in every non-root cgroup). */
export async function hasFreezer(path: string): Promise<boolean> {
  return (await readFile(join(path, 'cgroup.freeze'), 'utf8').catch(() => null)) !== null;
}

/**
 * Freezes (or thaws) every process in the cgroup at once through cgroup.freeze, then waits until
 * cgroup.events says `frozen 1` (`frozen 0`), polling until `timeoutMs`. Returns whether that
 * state was reached: the kernel freezes a task only when it next leaves the kernel, so one in
 * uninterruptible sleep can keep the cgroup from being reported frozen.
 */
export async function setFrozen(path: string, frozen: boolean, timeoutMs: number, pollMs = 10): Promise<boolean> {
  await writeFile(join(path, 'cgroup.freeze'), frozen ? '1' : '0');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const events = await readFile(join(path, 'cgroup.events'), 'utf8').catch(() => '');
    if (parseFrozen(events) === frozen) return true;
    if (Date.now() >= deadline) return false;
    await delay(pollMs);
  }
}
