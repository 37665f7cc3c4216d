import type { JobSummary } from '../../shared/job.js';
import type { ParamsOf } from '../../shared/methods.js';
import type { DaemonContext } from './context.js';

/** list: job summaries (no environments), oldest first. */
export function list(ctx: DaemonContext, params: ParamsOf<'list'>): JobSummary[] {
  return ctx.table.list(params);
}
