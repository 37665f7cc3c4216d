import type { ParamsOf, ResultOf } from '../../shared/methods.js';
import type { CallContext } from '../server/dispatch.js';
import type { DaemonContext } from './context.js';

/**
 * subscribe: from now on this connection also receives matching events as notifications (with
 * afterSeq, first the kept ones it missed). Job names resolve once, here, as in every method (a
 * resubscription sends the ids answered in `jobs`); an id needs no job yet: it may be the next one.
 */
export function subscribe(ctx: DaemonContext, params: ParamsOf<'subscribe'>, call: CallContext): ResultOf<'subscribe'> {
  const { afterSeq, jobs: refs, ...rest } = params;
  const jobs = refs?.map((ref) => (typeof ref === 'number' || /^\d+$/.test(ref) ? Number(ref) : ctx.table.resolve(ref).id));
  const seq = ctx.events.subscribe(call, jobs ? { ...rest, jobs } : rest, afterSeq);
  return { subscribed: true, seq, ...(jobs ? { jobs } : {}) };
}
