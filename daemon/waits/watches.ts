// One watch per (job, condition) of a wait — one per condition for those about the world — and
// how each is checked: from the job table (exit, state, ready: no check of its own), or by a
// check run on the wait's cadence (output, quiet, listen, exec, and port-free, tcp, http).

import type { Condition } from '../../shared/conditions.js';
import { formatDuration } from '../../shared/duration.js';
import { hasLiveProcess, type Job, type JobId } from '../../shared/job.js';
import type { StreamName } from '../output/segments.js';
import type { CheckerFactory, CheckResult, ProbeCheck, ProbeTarget } from '../probes/check.js';
import { isTableCondition, isWorldCondition, quietHolds } from './decide.js';
import { createOutputWatch } from './output-watch.js';

/** What the watches need from the daemon (stand-ins in unit tests). */
export interface WatchDeps {
  /** The probes' checkers (daemon/probes/checks): listen, tcp, http, exec. */
  createCheck: CheckerFactory;
  /** The live processes of a job's tree now (`listen`). */
  pidsOf(job: Job): Promise<readonly number[]>;
  checkPortFree(port: number, timeoutMs: number): Promise<CheckResult>;
  /** Refreshes the job's output figures (its last output time, for `quiet`); the table gets them. */
  refreshOutput(id: JobId): Promise<Job | undefined>;
  /** The ends of a run's output streams now (`newOutput`). */
  outputEnds(dir: string): Promise<Record<StreamName, number>>;
  now(): number;
}

export interface Watch {
  /** null: a condition about the world (port-free, tcp, http), the same for every job. */
  job: JobId | null;
  /** Which condition of the wait (its place in `for`). */
  index: number;
  condition: Condition;
  /** When it was first seen to hold and what was seen; a wait latches it. */
  seen: { at: number; detail: string } | null;
  /** A check on the cadence; null when answered from the table. Resolves null when not checked now (the job has no process). */
  poll: ((job: Job | undefined, timeoutMs: number) => Promise<CheckResult | null>) | null;
  close(): void;
}

/** Every watch of a wait, in the order: condition by condition, job by job. */
export async function createWatches(deps: WatchDeps, jobs: readonly Job[], conditions: readonly Condition[], newOutput: boolean): Promise<Watch[]> {
  const watches: Watch[] = [];
  for (const [index, condition] of conditions.entries()) {
    if (isWorldCondition(condition) || jobs.length === 0) watches.push(worldWatch(deps, index, condition));
    else for (const job of jobs) watches.push(await jobWatch(deps, job, index, condition, newOutput));
  }
  return watches;
}

const NO_JOB_TARGET: ProbeTarget = { jobId: 0, cwd: '/', env: {}, dir: '', pids: () => Promise.resolve([]) };

function worldWatch(deps: WatchDeps, index: number, condition: Condition): Watch {
  const base = { job: null, index, condition, seen: null };
  if (condition.kind === 'port-free') return { ...base, poll: (_job, timeoutMs) => deps.checkPortFree(condition.port, timeoutMs), close: () => {} };
  if (condition.kind === 'tcp' || condition.kind === 'http') {
    const check = deps.createCheck(condition, NO_JOB_TARGET);
    return { ...base, poll: (_job, timeoutMs) => check.run(timeoutMs), close: () => check.close() };
  }
  // The handler refuses a job's condition without a job; one that got here never holds.
  return { ...base, poll: () => Promise.resolve({ ok: false, detail: `${condition.kind} needs a job` }), close: () => {} };
}

async function jobWatch(deps: WatchDeps, job: Job, index: number, condition: Condition, newOutput: boolean): Promise<Watch> {
  const base = { job: job.id, index, condition, seen: null };
  if (isTableCondition(condition)) return { ...base, poll: null, close: () => {} };
  switch (condition.kind) {
    case 'output': {
      const from = newOutput ? await deps.outputEnds(job.dir).catch(() => ({ stdout: 0, stderr: 0 })) : { stdout: 0, stderr: 0 };
      const watch = createOutputWatch(condition, { dir: job.dir, from });
      return { ...base, poll: (now) => (now ? watch.check(now) : Promise.resolve(null)), close: () => {} };
    }
    case 'quiet':
      return {
        ...base,
        poll: async (now) => {
          if (!now || !hasLiveProcess(now.state)) return null;
          const fresh = (await deps.refreshOutput(now.id)) ?? now;
          return quietHolds(condition.ms, fresh, deps.now()) ? { ok: true, detail: `no output for ${formatDuration(condition.ms)}` } : { ok: false, detail: 'wrote output recently' };
        },
        close: () => {},
      };
    case 'listen':
    case 'exec': {
      let check: ProbeCheck | null = null;
      let latest = job; // the job as the last poll saw it: a restarted job's processes are its new run's
      return {
        ...base,
        poll: (now, timeoutMs) => {
          if (!now || !hasLiveProcess(now.state)) return Promise.resolve(null);
          latest = now;
          check ??= deps.createCheck(condition, { jobId: job.id, cwd: job.spec.cwd, env: job.spec.env, dir: job.dir, pids: () => deps.pidsOf(latest) });
          return check.run(timeoutMs);
        },
        close: () => check?.close(),
      };
    }
    default:
      return worldWatch(deps, index, condition);
  }
}
