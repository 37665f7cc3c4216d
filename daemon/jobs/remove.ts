// rm and prune: remove jobs' records and output. Each job given is removed or reported (not
// found, still running without force), never both; one refusal does not keep the others. A dry
// run decides the same way and changes nothing.

import { rm } from 'node:fs/promises';
import { ErrorCode, ProcdError } from '../../shared/errors.js';
import { isLive, isTerminal, type Job, type JobId } from '../../shared/job.js';
import type { JobRef, RefFailure, RemoveResult } from '../../shared/methods.js';
import { isFailure, refFailure, resolveEach } from './ref-failure.js';
import type { Stopper } from './stopper.js';
import type { SupervisorContext } from './supervisor-context.js';
import { runDir } from './run-end.js';

export interface RemoveOptions {
  /** Stop live jobs first (kill procedure) instead of refusing them. */
  force: boolean;
  dryRun: boolean;
}

export async function removeJobs(ctx: SupervisorContext, stopper: Stopper, refs: readonly JobRef[], opts: RemoveOptions): Promise<RemoveResult> {
  const { table, logger } = ctx;
  const resolved = resolveEach(table, refs, logger);
  const failed: RefFailure[] = resolved.filter(isFailure);
  const chosen = new Map<JobId, Job>();
  for (const r of resolved) {
    if (isFailure(r) || chosen.has(r.job.id)) continue;
    const job = table.get(r.job.id) ?? r.job;
    if (isLive(job.state) && !opts.force) {
      const err = new ProcdError(ErrorCode.JobStillRunning, `job ${job.id} (${job.name}) is ${job.state.kind}; stop it first or use --force`, { id: job.id, state: job.state.kind });
      failed.push(refFailure(r.ref, job.id, err, logger));
    } else chosen.set(job.id, job);
  }
  const jobs = [...chosen.values()];
  const brief = jobs.map((j) => ({ id: j.id, name: j.name, state: j.state.kind }));
  if (opts.dryRun) return { dryRun: true, removed: jobs.map((j) => j.id), jobs: brief, failed };
  // A stop that fails leaves the job to be removed anyway: --force means "gone either way".
  await Promise.all(jobs.filter((j) => isLive(j.state)).map((j) => stopper.stopLive(j.id, 'user').catch(() => undefined)));
  const removed: JobId[] = [];
  for (const job of jobs) {
    if (table.remove(job.id)) removed.push(job.id);
    // The job's own directory, which holds every run's (job.dir is the current run's).
    await rm(runDir(job, 1), { recursive: true, force: true });
  }
  await ctx.store.flush();
  return { dryRun: false, removed, jobs: brief.filter((b) => removed.includes(b.id)), failed };
}

/** The finished jobs that ended at least `olderThanMs` ago (all finished ones without it). */
export function prunableJobs(all: Iterable<Job>, olderThanMs: number | undefined, now: number): JobId[] {
  const cutoff = now - (olderThanMs ?? 0);
  const old: JobId[] = [];
  for (const job of all) if (isTerminal(job.state) && job.state.endedAt <= cutoff) old.push(job.id);
  return old;
}
