import type { ParamsOf, ResultOf } from '../../shared/methods.js';
import type { DaemonContext } from './context.js';

/** rm: remove finished jobs and their output (running ones only with force, which stops them); dryRun changes nothing. */
export function rm(ctx: DaemonContext, params: ParamsOf<'rm'>): Promise<ResultOf<'rm'>> {
  return ctx.supervisor.remove(params.jobs, { force: params.force ?? false, dryRun: params.dryRun ?? false });
}
