import type { Job } from '../../shared/job.js';
import type { ParamsOf } from '../../shared/methods.js';
import { releaseAdopted } from '../jobs/release.js';
import type { DaemonContext } from './context.js';

/** release: stop supervising an adopted process without signalling it. */
export function release(ctx: DaemonContext, params: ParamsOf<'release'>): Job {
  return releaseAdopted(ctx.table, params.job);
}
