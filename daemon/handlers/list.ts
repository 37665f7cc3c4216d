import { etaOf } from '../../shared/eta.js';
import type { JobSummary } from '../../shared/job.js';
import { rowOf, type JobRow } from '../../shared/job-row.js';
import type { ParamsOf } from '../../shared/methods.js';
import type { DaemonContext } from './context.js';

/** list: job summaries (no environments), oldest first; a live job's ETA also from its command's history when there is one. */
export function list(ctx: DaemonContext, params: ParamsOf<'list'>): JobSummary[] {
  const now = Date.now();
  return ctx.table.list(params).map((summary) => withHistoryEta(ctx, summary, now));
}

/** rows: what `procd ls` shows of the jobs list answers (shared/job-row.ts). */
export function rows(ctx: DaemonContext, params: ParamsOf<'rows'>): JobRow[] {
  return list(ctx, params).map(rowOf);
}

/** The summary's ETA recomputed with the baseline of the full job's command (a summary's command may be cut for display). */
function withHistoryEta(ctx: DaemonContext, summary: JobSummary, now: number): JobSummary {
  const job = ctx.table.get(summary.id);
  const baseline = job ? ctx.progress.baselineOf(job) : null;
  if (!job || !baseline) return summary;
  const eta = etaOf(job, now, baseline);
  return eta ? { ...summary, eta } : summary;
}
