import type { ParamsOf, ResultOf } from '../../shared/methods.js';
import type { DaemonContext } from './context.js';

/** signal: one signal to the whole job, no escalation. */
export function signal(ctx: DaemonContext, params: ParamsOf<'signal'>): Promise<ResultOf<'signal'>> {
  return ctx.supervisor.signal(params.job, params.signal);
}
