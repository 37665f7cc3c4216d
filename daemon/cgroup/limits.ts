// The kernel path of limits: where a job's cgroup has the memory, pids or cpu controller, its
// limits are written into memory.max, pids.max and cpu.max, so the kernel holds them between the
// monitor's samples. Only for `--on-limit kill` (a warning must not enforce anything). What the
// kernel does is not what the sampled path does, and the docs say so:
//   memory.max  — the kernel reclaims, then OOM-kills; memory.oom.group=1 takes the whole tree.
//   pids.max    — a fork or clone over the limit fails (EAGAIN); the kernel counts threads too.
//   cpu.max     — the tree is throttled to the limit instead of being stopped.
// The monitor keeps sampling alongside (fds have no controller; it always samples them).
// Decision pure (kernelLimitWrites), acting thin (applyKernelLimits).

import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Job, KillRecord } from '../../shared/job.js';
import { limitStops, type JobLimits, type LimitKind } from '../../shared/limits.js';
import { cgroupNameOf } from './job-cgroup.js';

/** cpu.max's period: the kernel's default, 100 ms. */
export const CPU_PERIOD_US = 100_000;

export interface KernelWrite {
  limit: LimitKind;
  controller: 'memory' | 'pids' | 'cpu';
  file: string;
  value: string;
}

/** The files to write for `limits` into a cgroup that has `controllers` (its cgroup.controllers). */
export function kernelLimitWrites(limits: JobLimits | undefined, controllers: readonly string[]): KernelWrite[] {
  if (!limits || !limitStops(limits.onLimit)) return [];
  const has = (c: string) => controllers.includes(c);
  const writes: KernelWrite[] = [];
  if (limits.maxMemoryBytes !== null && has('memory')) {
    writes.push({ limit: 'memory', controller: 'memory', file: 'memory.max', value: String(limits.maxMemoryBytes) });
    writes.push({ limit: 'memory', controller: 'memory', file: 'memory.oom.group', value: '1' });
  }
  if (limits.maxProcs !== null && has('pids')) writes.push({ limit: 'procs', controller: 'pids', file: 'pids.max', value: String(limits.maxProcs) });
  if (limits.maxCpuPercent !== null && has('cpu')) {
    const quota = Math.max(1000, Math.round((limits.maxCpuPercent / 100) * CPU_PERIOD_US));
    writes.push({ limit: 'cpu', controller: 'cpu', file: 'cpu.max', value: `${quota} ${CPU_PERIOD_US}` });
  }
  return writes;
}

/** The controllers a cgroup file lists (`cgroup.controllers`, `cgroup.subtree_control`). */
export function parseControllers(text: string): string[] {
  return text.split(/\s+/).filter(Boolean);
}

/**
 * Writes the job's limits into its cgroup at `path` (below `root`, this instance's parent cgroup).
 * The controllers the root has are enabled for its children first (best effort: a delegated
 * subtree allows it, a bare one lists none). Returns what was written; a failed write is
 * reported in `failed` and left to the sampled path.
 */
export async function applyKernelLimits(root: string, path: string, limits: JobLimits | undefined): Promise<{ written: KernelWrite[]; failed: { write: KernelWrite; error: string }[] }> {
  if (!limits || !limitStops(limits.onLimit)) return { written: [], failed: [] };
  const rootHas = parseControllers(await readFile(join(root, 'cgroup.controllers'), 'utf8').catch(() => ''));
  const wanted = ['memory', 'pids', 'cpu'].filter((c) => rootHas.includes(c));
  const enabled = parseControllers(await readFile(join(root, 'cgroup.subtree_control'), 'utf8').catch(() => ''));
  for (const c of wanted.filter((w) => !enabled.includes(w))) await writeFile(join(root, 'cgroup.subtree_control'), `+${c}`).catch(() => undefined);
  const jobHas = parseControllers(await readFile(join(path, 'cgroup.controllers'), 'utf8').catch(() => ''));
  const written: KernelWrite[] = [];
  const failed: { write: KernelWrite; error: string }[] = [];
  for (const write of kernelLimitWrites(limits, jobHas)) {
    try {
      await writeFile(join(path, write.file), write.value);
      written.push(write);
    } catch (err) {
      failed.push({ write, error: (err as Error).message });
    }
  }
  return { written, failed };
}

/** `oom_kill N` / `oom_group_kill N` in memory.events with N > 0: the kernel killed for memory.max. */
export function oomKilled(memoryEvents: string): boolean {
  return /^oom_(group_)?kill [1-9]/m.test(memoryEvents);
}

/**
 * An OOM kill (oomKilledIn) of a job whose memory.max is procd's (its --max-memory with a stopping
 * action, see applyKernelLimits) was its limit's, not someone's signal: the kill record it ends
 * with (outcome `limit`, detail memory). Null for a job without such a limit: then the kernel
 * killed for want of memory elsewhere (outcome `oom`).
 */
export function memoryLimitKill(job: Job, at: number): KillRecord | null {
  const limits = job.spec.limits;
  if (!limits || limits.maxMemoryBytes === null || !limitStops(limits.onLimit)) return null;
  return { reason: 'limit', limit: 'memory', requestedAt: at, signal: 'SIGKILL', graceMs: 0, signalled: [], forced: [] };
}

/**
 * Whether the kernel's OOM killer killed a process of the job's cgroup (this launch's): for its
 * own memory.max, an ancestor's (a container, a systemd slice) or the machine's memory alike.
 * False without cgroup containment: then nothing says so.
 */
export async function oomKilledIn(root: string | null | undefined, job: Job): Promise<boolean> {
  const name = root ? cgroupNameOf(job) : null;
  if (!root || name === null) return false;
  return oomKilled(await readFile(join(root, name, 'memory.events'), 'utf8').catch(() => ''));
}
