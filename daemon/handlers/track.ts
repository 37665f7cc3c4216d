import type { Job } from '../../shared/job.js';
import type { ParamsOf } from '../../shared/methods.js';
import type { DaemonContext } from './context.js';

/** track: start a command under supervision; answers once it is running (or failed to start). */
export function track(ctx: DaemonContext, params: ParamsOf<'track'>): Promise<Job> {
  return ctx.supervisor.track(params);
}
