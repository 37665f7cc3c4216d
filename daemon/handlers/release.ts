import { viewOf, type JobView } from '../../shared/job.js';
import type { ParamsOf } from '../../shared/methods.js';
import { releaseAdopted } from '../jobs/release.js';
import type { DaemonContext } from './context.js';

/** release: stop supervising an adopted process without signalling it (the answer leaves env values out, as every job answer does). */
export function release(ctx: DaemonContext, params: ParamsOf<'release'>): JobView {
  return viewOf(releaseAdopted(ctx.table, params.job));
}
