import type { ParamsOf, ResultOf } from '../../shared/methods.js';
import type { DaemonContext } from './context.js';

/** prune: remove finished jobs older than a cutoff. */
export async function prune(ctx: DaemonContext, params: ParamsOf<'prune'>): Promise<ResultOf<'prune'>> {
  return { removed: await ctx.supervisor.prune(params.olderThanMs) };
}
