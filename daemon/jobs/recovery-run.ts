// Carries out recovery (recovery.ts decides): observes each unfinished job left by the previous
// daemon, plans, and applies the plan through the job table, the end watcher and the stopper.

import { hasLiveProcess, isTerminal, type Job, type JobId } from '../../shared/job.js';
import { readExitFile, readStartedFile } from '../output/spawn-spec.js';
import { carriesEntries, isAlive, readIdentity } from '../proc/process-table.js';
import type { EndWatcher } from './end-watcher.js';
import { markerEntries } from './kill-tree.js';
import { planRecovery, type Observation, type RecoveryAction } from './recovery.js';
import type { Starter } from './starter.js';
import type { Stopper } from './stopper.js';
import type { SupervisorContext } from './supervisor-context.js';
import { unreachable } from '../../shared/unreachable.js';

export interface RecoveryCounts {
  adopted: number;
  finished: number;
  lost: number;
  queued: number;
}

export async function recover(ctx: SupervisorContext, ends: EndWatcher, stopper: Stopper, starter: Starter): Promise<RecoveryCounts> {
  const counts: RecoveryCounts = { adopted: 0, finished: 0, lost: 0, queued: 0 };
  const resumes: Job[] = [];
  for (const job of [...ctx.table.all()]) {
    if (isTerminal(job.state)) continue;
    const action = planRecovery(job, await observe(ctx, job));
    if (!action) continue;
    const resumed = await apply(ctx, ends, stopper, starter, action);
    if (resumed) resumes.push(resumed);
    counts[countOf(action)]++;
  }
  await ctx.persistQuietly('re-adoption');
  // Stops resume last: every job is watched again by then, so their ends are seen.
  for (const job of resumes) stopper.resume(job);
  return counts;
}

async function observe(ctx: SupervisorContext, job: Job): Promise<Observation> {
  const s = job.state;
  if (s.kind === 'queued') return { exit: null, started: null, process: null, endPending: false };
  // Liveness before the exit file: a process that ends in between has written its file by then.
  const started = s.kind === 'starting' ? await readStartedFile(job.dir) : null;
  const target = hasLiveProcess(s) ? { pid: s.pid, startTicks: s.startTicks } : started ? { pid: started.pid, startTicks: null } : null;
  const process = target ? await ownProcess(ctx, job.id, target.pid, target.startTicks) : null;
  const shimPid = hasLiveProcess(s) ? s.shimPid : (started?.shimPid ?? null);
  const endPending = target !== null && shimPid !== null && shimPid > 0 && !(await isAlive(target.pid)) && (await isAlive(shimPid));
  return { exit: await readExitFile(job.dir), started, process, endPending };
}

/** Identity is pid + start time; without a start time, the job's markers must be on the process. */
async function ownProcess(ctx: SupervisorContext, id: JobId, pid: number, startTicks: number | null): Promise<{ ours: boolean; startTicks: number | null }> {
  if (!(await isAlive(pid, startTicks))) return { ours: false, startTicks };
  if (startTicks !== null) return { ours: true, startTicks };
  if (!(await carriesEntries(pid, markerEntries({ jobId: id, instance: ctx.opts.instance })))) return { ours: false, startTicks: null };
  return { ours: true, startTicks: (await readIdentity(pid))?.startTicks ?? null };
}

/** Applies one action; returns the job when a stop must be resumed. */
async function apply(ctx: SupervisorContext, ends: EndWatcher, stopper: Stopper, starter: Starter, action: RecoveryAction): Promise<Job | null> {
  const { table } = ctx;
  switch (action.kind) {
    case 'record_exit':
      await ends.applyExit(action.id, action.exit);
      return null;
    case 'spawn_failed':
      table.apply(action.id, { type: 'spawn_failed', at: Date.now(), error: action.error });
      return null;
    case 'lost':
      if (action.started) table.apply(action.id, { type: 'started', at: action.started.at, pid: action.started.pid, startTicks: null, shimPid: action.started.shimPid });
      table.apply(action.id, { type: 'lost', at: Date.now(), reason: action.reason });
      return null;
    case 'record_start': {
      const { started } = action;
      const job = table.apply(action.id, { type: 'started', at: started.at, pid: started.pid, startTicks: action.startTicks, shimPid: started.shimPid });
      return job ? watch(ends, stopper, job, job.pendingKill !== null) : null;
    }
    case 'watch': {
      const job = table.get(action.id);
      return job ? watch(ends, stopper, job, action.resumeStop) : null;
    }
    case 'requeue': {
      const job = table.get(action.id);
      if (job) starter.schedule(job);
      return null;
    }
    default:
      return unreachable(action, 'recovery action');
  }
}

function watch(ends: EndWatcher, stopper: Stopper, job: Job, resumeStop: boolean): Job | null {
  ends.watch(job.id);
  stopper.armTimeout(job);
  // A paused job stays paused (a stop to resume thaws it first).
  if (!resumeStop) void stopper.pauser.reassert(job);
  return resumeStop && job.pendingKill ? job : null;
}

function countOf(action: RecoveryAction): keyof RecoveryCounts {
  switch (action.kind) {
    case 'record_exit':
    case 'spawn_failed':
      return 'finished';
    case 'lost':
      return 'lost';
    case 'requeue':
      return 'queued';
    case 'record_start':
    case 'watch':
      return 'adopted';
    default:
      return unreachable(action, 'recovery action');
  }
}
