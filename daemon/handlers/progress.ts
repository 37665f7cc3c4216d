// progress: a running job reports how far it is (issue 14). From inside a job the CLI sends the
// job's PROCD_INSTANCE too: a job of another procd home with the same id is refused, not confused.

import { etaOf } from '../../shared/eta.js';
import { ErrorCode, ProcdError } from '../../shared/errors.js';
import type { ParamsOf, ResultOf } from '../../shared/methods.js';
import { progressProblem, type ProgressReport } from '../../shared/progress.js';
import type { DaemonContext } from './context.js';

export function progress(ctx: DaemonContext, params: ParamsOf<'progress'>): ResultOf<'progress'> {
  if (params.instance !== undefined && params.instance !== ctx.progress.instance) {
    throw new ProcdError(
      ErrorCode.InstanceMismatch,
      `the job ${params.job} this report comes from belongs to another procd home (PROCD_INSTANCE=${params.instance}; this daemon is ${ctx.progress.instance}): set PROCD_HOME to that home, or give --job`,
      { job: params.job, instance: params.instance, daemonInstance: ctx.progress.instance },
    );
  }
  const report: ProgressReport = { done: params.done, total: params.total ?? null, ...(params.phase !== undefined ? { phase: params.phase } : {}) };
  const problem = progressProblem(report);
  if (problem) throw new ProcdError(ErrorCode.InvalidParams, `invalid progress: ${problem}`, { field: 'params.done', expected: problem });
  const job = ctx.progress.report(ctx.table.resolve(params.job).id, [report], 'cli');
  return { id: job.id, name: job.name, state: job.state.kind, progress: job.progress!, eta: etaOf(job, Date.now(), ctx.progress.baselineOf(job)) };
}
