import type { ParamsOf, ResultOf } from '../../shared/methods.js';
import type { DaemonContext } from './context.js';

/** restart: stop a live run gracefully, then run the job again under its id; one item per job given. */
export function restart(ctx: DaemonContext, params: ParamsOf<'restart'>): Promise<ResultOf<'restart'>> {
  return ctx.supervisor.restart(params.jobs, params.signal, params.graceMs);
}
