import { ErrorCode, ProcdError } from '../../shared/errors.js';
import type { JobRef, KillOutcome, ParamsOf } from '../../shared/methods.js';
import { adoptProcess } from '../jobs/adopt.js';
import { liveJobsOf } from '../jobs/owned.js';
import { findPortHolders } from '../ports/holders.js';
import { planPortKill, portKillError } from '../ports/kill-port.js';
import type { DaemonContext } from './context.js';

/**
 * kill: the full stop (group + marked descendants, grace, SIGKILL); answers when they are gone.
 * `owner`: also every live job of that owner (one that ends meanwhile is not an error).
 * `port`: also the jobs holding that port (with `adopt`, a process procd does not supervise is adopted first).
 */
export async function kill(ctx: DaemonContext, params: ParamsOf<'kill'>): Promise<KillOutcome[]> {
  if (!params.jobs && params.owner === undefined && params.port === undefined) throw new ProcdError(ErrorCode.InvalidParams, 'invalid params: give the jobs to stop (jobs), an owner whose live jobs to stop (owner), or a port whose holder to stop (port)', { field: 'params.jobs' });
  const given: JobRef[] = [...(params.jobs ?? [])];
  if (params.port !== undefined) given.push(...(await jobsOnPort(ctx, params.port, params.adopt === true, params.callerPid)).filter((id) => !given.includes(id)));
  const owned = params.owner === undefined ? [] : liveJobsOf(ctx.table.all(), params.owner).filter((id) => !given.includes(id));
  const results = await ctx.supervisor.kill([...given, ...owned], params.signal, params.graceMs);
  return results.filter((r, i) => i < given.length || r.ok || r.error.code !== ErrorCode.JobNotRunning);
}

/** The jobs holding `port`, found now; with `adopt`, processes procd does not supervise are adopted first. */
async function jobsOnPort(ctx: DaemonContext, port: number, adopt: boolean, callerPid: number | undefined): Promise<JobRef[]> {
  const plan = planPortKill(await findPortHolders(ctx.table.all(), await ctx.monitor.snapshots.take(), true), port, adopt);
  if (plan.kind !== 'stop') throw portKillError(plan, port);
  const adopted: JobRef[] = [];
  for (const pid of plan.adopt) {
    const job = await adoptProcess(ctx.table, ctx.store, ctx.paths.jobsDir, { pid, ...(callerPid !== undefined ? { callerPid } : {}) }, (p) => ctx.monitor.jobOwning(p));
    adopted.push(job.id);
  }
  return [...plan.jobs, ...adopted];
}
