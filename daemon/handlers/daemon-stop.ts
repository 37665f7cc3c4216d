import type { ParamsOf, ResultOf } from '../../shared/methods.js';
import type { DaemonContext } from './context.js';

/** daemon.stop: stop jobs (unless keepJobs), then the daemon; answers before the socket closes. */
export async function daemonStop(ctx: DaemonContext, params: ParamsOf<'daemon.stop'>): Promise<ResultOf<'daemon.stop'>> {
  const jobsStopped = await ctx.requestStop(params.keepJobs ?? false);
  return { stopping: true, jobsStopped };
}
