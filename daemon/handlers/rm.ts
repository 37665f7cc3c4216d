import type { ParamsOf, ResultOf } from '../../shared/methods.js';
import type { DaemonContext } from './context.js';

/** rm: remove finished jobs and their output (running ones only with force, which stops them). */
export async function rm(ctx: DaemonContext, params: ParamsOf<'rm'>): Promise<ResultOf<'rm'>> {
  return { removed: await ctx.supervisor.remove(params.jobs, params.force ?? false) };
}
