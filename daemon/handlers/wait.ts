import { ErrorCode, ProcdError } from '../../shared/errors.js';
import { viewOf } from '../../shared/job.js';
import type { ParamsOf, WaitResult } from '../../shared/methods.js';
import type { CallContext } from '../server/dispatch.js';
import { waitWithConditions } from '../waits/wait-call.js';
import type { DaemonContext } from './context.js';

/**
 * wait: without `for`, answers when every job has ended, the timeout passed, or the client went
 * away; with `for`, when the conditions hold (daemon/waits/). Environments' values only when asked.
 */
export async function wait(ctx: DaemonContext, params: ParamsOf<'wait'>, call: CallContext): Promise<WaitResult> {
  const conditions = params.for;
  if (conditions) return waitWithConditions(ctx, { ...params, for: conditions }, call);
  if (params.all || params.newOutput) {
    throw new ProcdError(ErrorCode.InvalidParams, `invalid params.${params.all ? 'all' : 'newOutput'}: it applies to conditions; add for (--for CONDITION)`, { field: `params.${params.all ? 'all' : 'newOutput'}` });
  }
  if (!params.jobs) throw new ProcdError(ErrorCode.InvalidParams, 'invalid params.jobs: name the jobs to wait for (or give for: conditions such as port-free=PORT)', { field: 'params.jobs' });
  const r = await ctx.supervisor.wait(params.jobs, params.timeoutMs ?? undefined, call);
  return { jobs: r.jobs.map((j) => viewOf(j, params.env)), timedOut: r.timedOut };
}
