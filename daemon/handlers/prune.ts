import type { ParamsOf, ResultOf } from '../../shared/methods.js';
import type { DaemonContext } from './context.js';

/** prune: remove finished jobs older than a cutoff; dryRun only lists them. */
export function prune(ctx: DaemonContext, params: ParamsOf<'prune'>): Promise<ResultOf<'prune'>> {
  return ctx.supervisor.prune(params.olderThanMs, params.dryRun ?? false);
}
