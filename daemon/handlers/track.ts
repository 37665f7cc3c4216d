import { viewOf } from '../../shared/job.js';
import type { ParamsOf, ResultOf } from '../../shared/methods.js';
import { ownerOf } from '../../shared/owner.js';
import type { CallContext } from '../server/dispatch.js';
import type { DaemonContext } from './context.js';

/**
 * track: start a command under supervision; answers once it is running (or failed to start),
 * without the environment's values (the caller sent them). Its owner: `owner`, else the client's
 * name from hello. With `ensure`, the live job that is the same one is answered, `reused: true`.
 */
export async function track(ctx: DaemonContext, params: ParamsOf<'track'>, call: CallContext): Promise<ResultOf<'track'>> {
  const { job, reused } = await ctx.supervisor.track(params, ownerOf(params.owner, call.identity));
  return reused ? { ...viewOf(job), reused } : viewOf(job);
}
