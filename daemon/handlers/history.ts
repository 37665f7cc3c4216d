import type { ParamsOf, ResultOf } from '../../shared/methods.js';
import { HISTORY_LIMIT_DEFAULT } from '../../shared/methods-history.js';
import type { DaemonContext } from './context.js';

/** history: recorded runs, newest first; a job given as an id means that job's runs, a name every job's with that name. */
export function history(ctx: DaemonContext, params: ParamsOf<'history'>): ResultOf<'history'> {
  const ref = params.job;
  const byId = typeof ref === 'number' || (ref !== undefined && /^\d+$/.test(ref));
  const runs = ctx.history.recent({
    ...(ref === undefined ? {} : byId ? { jobId: Number(ref) } : { name: ref }),
    ...(params.since !== undefined ? { since: params.since } : {}),
    limit: params.limit ?? HISTORY_LIMIT_DEFAULT,
  });
  return { runs, total: ctx.history.size };
}
