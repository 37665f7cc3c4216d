import type { Job } from '../../shared/job.js';
import type { ParamsOf } from '../../shared/methods.js';
import type { DaemonContext } from './context.js';

/** status: one job with fresh output figures. */
export async function status(ctx: DaemonContext, params: ParamsOf<'status'>): Promise<Job> {
  const job = ctx.table.resolve(params.job);
  return (await ctx.supervisor.refreshOutput(job.id)) ?? job;
}
