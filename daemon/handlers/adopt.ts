import { viewOf, type JobView } from '../../shared/job.js';
import type { ParamsOf } from '../../shared/methods.js';
import { ownerOf } from '../../shared/owner.js';
import { adoptProcess } from '../jobs/adopt.js';
import type { CallContext } from '../server/dispatch.js';
import type { DaemonContext } from './context.js';

/** adopt: supervise a running process procd did not start; its owner is who adopted it (`owner`, else the client's name from hello). */
export async function adopt(ctx: DaemonContext, params: ParamsOf<'adopt'>, call: CallContext): Promise<JobView> {
  return viewOf(await adoptProcess(ctx.table, ctx.store, ctx.paths.jobsDir, params, (pid) => ctx.monitor.jobOwning(pid), ownerOf(params.owner, call.identity)));
}
