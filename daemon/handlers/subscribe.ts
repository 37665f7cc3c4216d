import type { ParamsOf, ResultOf } from '../../shared/methods.js';
import type { CallContext } from '../server/dispatch.js';
import type { DaemonContext } from './context.js';

/** subscribe: from now on this connection also receives matching events as notifications. */
export function subscribe(ctx: DaemonContext, params: ParamsOf<'subscribe'>, call: CallContext): ResultOf<'subscribe'> {
  return { subscribed: true, seq: ctx.events.subscribe(call, params) };
}
