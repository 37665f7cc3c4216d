// The acting layer of a cgroup per job: create, read, kill and remove `<root>/job-<id>-<nonce>`,
// where root is this instance's parent cgroup (see containment.ts). The nonce makes the name
// unique per launch, and the job record keeps it: a job id handed out again (a lost state file)
// never joins or kills an old job's leftovers. Nothing here looks outside root.

import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { Job } from '../../shared/job.js';

/** A job cgroup's directory name: `job-<id>-<nonce>`, or `job-<id>` from daemons before unique names. */
export const JOB_CGROUP_NAME = /^job-([1-9][0-9]*)(?:-[0-9a-f]+)?$/;

/** A fresh name for one launch of job `id`. */
export function newJobCgroupName(id: number, nonce: string = randomBytes(4).toString('hex')): string {
  return `job-${id}-${nonce}`;
}

/** The job's cgroup name as recorded; a record from before unique names (field absent) used `job-<id>`. */
export function cgroupNameOf(job: Pick<Job, 'id' | 'cgroup'>): string | null {
  return job.cgroup === undefined ? `job-${job.id}` : job.cgroup;
}

/** Why a job's cgroup could not be created, with the path, the errno and the way out. */
export class CgroupCreateError extends Error {
  constructor(
    readonly path: string,
    readonly code: string,
    detail: string,
  ) {
    super(`could not create the job's cgroup ${path} (${code}: ${detail}); to run jobs without a cgroup per job, restart the daemon with PROCD_CONTAINMENT=pgroup`);
  }
}

/**
 * Creates the job's cgroup. An existing directory is refused, not reused: a name is made for one
 * launch, so one already there belongs to something else.
 */
export async function createJobCgroup(root: string, name: string): Promise<string> {
  const path = join(root, name);
  try {
    await mkdir(path);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    // Node's message is "CODE: description, mkdir 'path'": keep the description.
    const description = /^[A-Z0-9]+: ([^,]+)/.exec(e.message)?.[1] ?? e.message;
    const why = e.code === 'ENOENT' ? `the instance cgroup ${root} is gone` : description;
    throw new CgroupCreateError(path, e.code ?? 'error', why);
  }
  return path;
}

/** Parses cgroup.procs: one pid a line. */
export function parseProcs(text: string): number[] {
  return text
    .split('\n')
    .filter((l) => /^[1-9][0-9]*$/.test(l))
    .map(Number);
}

/** cgroup name → pids in it, for every job cgroup below root (sync: read with the process table). */
export function jobCgroupMembers(root: string): Map<string, number[]> {
  const found = new Map<string, number[]>();
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return found;
  }
  for (const name of names) {
    if (!JOB_CGROUP_NAME.test(name)) continue;
    try {
      const pids = parseProcs(readFileSync(join(root, name, 'cgroup.procs'), 'utf8'));
      if (pids.length) found.set(name, pids);
    } catch {
      // removed meanwhile
    }
  }
  return found;
}

/** usage_usec of a cpu.stat text (cgroup v2 has it even with no controller enabled), or null. */
export function parseCpuUsageUsec(text: string): number | null {
  const m = /^usage_usec (\d+)$/m.exec(text);
  return m ? Number(m[1]) : null;
}

/** The CPU time (µs) every process that ever ran in the cgroup used; null when it cannot be read. */
export async function cgroupCpuUsageUsec(path: string): Promise<number | null> {
  const text = await readFile(join(path, 'cpu.stat'), 'utf8').catch(() => null);
  return text === null ? null : parseCpuUsageUsec(text);
}

/** `populated 0` in cgroup.events: nothing in the cgroup (or below) runs any more. Null: unreadable. */
export async function isPopulated(path: string): Promise<boolean | null> {
  // Read at once: a few bytes of kernfs cost microseconds, while a promise read is four trips
  // through libuv's thread pool (a kill of 100 jobs checks 100 of them, repeatedly).
  let text: string | null;
  try {
    text = readFileSync(join(path, 'cgroup.events'), 'utf8');
  } catch {
    text = null;
  }
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
