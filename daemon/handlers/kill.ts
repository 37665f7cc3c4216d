import { ErrorCode, ProcdError } from '../../shared/errors.js';
import type { JobRef, KillOutcome, ParamsOf } from '../../shared/methods.js';
import { liveJobsOf } from '../jobs/owned.js';
import type { DaemonContext } from './context.js';

/**
 * kill: the full stop (group + marked descendants, grace, SIGKILL); answers when they are gone.
 * `owner`: also every live job of that owner (one that ends meanwhile is not an error).
 */
export async function kill(ctx: DaemonContext, params: ParamsOf<'kill'>): Promise<KillOutcome[]> {
  if (!params.jobs && params.owner === undefined) throw new ProcdError(ErrorCode.InvalidParams, 'invalid params: give the jobs to stop (jobs), or an owner whose live jobs to stop (owner)', { field: 'params.jobs' });
  const given: JobRef[] = params.jobs ?? [];
  const owned = params.owner === undefined ? [] : liveJobsOf(ctx.table.all(), params.owner).filter((id) => !given.includes(id));
  const results = await ctx.supervisor.kill([...given, ...owned], params.signal, params.graceMs);
  return results.filter((r, i) => i < given.length || r.ok || r.error.code !== ErrorCode.JobNotRunning);
}
