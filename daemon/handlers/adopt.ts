import { viewOf, type JobView } from '../../shared/job.js';
import type { ParamsOf } from '../../shared/methods.js';
import { adoptProcess } from '../jobs/adopt.js';
import type { DaemonContext } from './context.js';

/** adopt: supervise a running process procd did not start. */
export async function adopt(ctx: DaemonContext, params: ParamsOf<'adopt'>): Promise<JobView> {
  return viewOf(await adoptProcess(ctx.table, ctx.store, ctx.paths.jobsDir, params, (pid) => ctx.monitor.jobOwning(pid)));
}
