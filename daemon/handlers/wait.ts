import { viewOf } from '../../shared/job.js';
import type { ParamsOf, WaitResult } from '../../shared/methods.js';
import type { CallContext } from '../server/dispatch.js';
import type { DaemonContext } from './context.js';

/** wait: answers when every job has ended, the timeout passed, or the client went away; environments' values only when asked. */
export async function wait(ctx: DaemonContext, params: ParamsOf<'wait'>, call: CallContext): Promise<WaitResult> {
  const r = await ctx.supervisor.wait(params.jobs, params.timeoutMs, call);
  return { jobs: r.jobs.map((j) => viewOf(j, params.env)), timedOut: r.timedOut };
}
