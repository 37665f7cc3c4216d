import { ErrorCode, ProcdError } from '../../shared/errors.js';
import type { JobRef, KillOutcome, ParamsOf } from '../../shared/methods.js';
import { adoptProcess } from '../jobs/adopt.js';
import { findPortHolders } from '../ports/holders.js';
import { planPortKill, portKillError } from '../ports/kill-port.js';
import type { DaemonContext } from './context.js';

/** kill: the full stop (group + marked descendants, grace, SIGKILL); answers when they are gone. `port`: the jobs holding it. */
export async function kill(ctx: DaemonContext, params: ParamsOf<'kill'>): Promise<KillOutcome[]> {
  const refs: JobRef[] = [...(params.jobs ?? [])];
  if (params.port === undefined && !refs.length) throw new ProcdError(ErrorCode.InvalidParams, 'kill needs the jobs to stop (`jobs`), or a port (`port`)', { path: 'params.jobs', expected: 'an array of job ids or names (1..1000 items)' });
  if (params.port !== undefined) refs.push(...(await jobsOnPort(ctx, params.port, params.adopt === true, params.callerPid)));
  return ctx.supervisor.kill(refs, params.signal, params.graceMs);
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
