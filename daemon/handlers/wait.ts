import type { ParamsOf, WaitResult } from '../../shared/methods.js';
import type { CallContext } from '../server/dispatch.js';
import type { DaemonContext } from './context.js';

/** wait: answers when every job has ended, the timeout passed, or the client went away. */
export function wait(ctx: DaemonContext, params: ParamsOf<'wait'>, call: CallContext): Promise<WaitResult> {
  return ctx.supervisor.wait(params.jobs, params.timeoutMs, call);
}
