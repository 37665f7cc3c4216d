import { viewOf, type JobView } from '../../shared/job.js';
import type { ParamsOf } from '../../shared/methods.js';
import type { DaemonContext } from './context.js';

/** track: start a command under supervision; answers once it is running (or failed to start), without the environment's values (the caller sent them). */
export async function track(ctx: DaemonContext, params: ParamsOf<'track'>): Promise<JobView> {
  return viewOf(await ctx.supervisor.track(params));
}
