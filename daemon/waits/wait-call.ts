// `wait` with `for` (issue 15 §2), as the handler runs it: the params checked against what the
// jobs are, the daemon's real checkers and clock wired in, and the answer — which condition fired,
// or which job ended first, or the timeout — with each job's state and last lines.

import { conditionText, type Condition } from '../../shared/conditions.js';
import { ErrorCode, ProcdError } from '../../shared/errors.js';
import { isTerminal, viewOf, type Job } from '../../shared/job.js';
import type { ParamsOf, WaitResult } from '../../shared/methods.js';
import type { DaemonContext } from '../handlers/context.js';
import { Deadlines } from '../jobs/deadlines.js';
import { awaitOutputClosed } from '../jobs/output-figures.js';
import { membersOf, type ProcessSnapshot } from '../monitor/job-processes.js';
import { liveOnly } from '../monitor/queries.js';
import { createCheck } from '../probes/checks/index.js';
import type { CallContext } from '../server/dispatch.js';
import { waitForConditions, type ConditionWaitDeps, type ConditionWaitOutcome } from './condition-wait.js';
import { effectiveTimeoutMs, isWorldCondition } from './decide.js';
import { outputEnds } from './output-watch.js';
import { checkPortFree } from './port-free.js';
import { lastLines } from './tail.js';

type WaitFor = NonNullable<WaitResult['for']>;

/** How long an ended job's shim may take to write the last of its output before the answer is given. */
const OUTPUT_CLOSE_MS = 2000;
/** A process snapshot younger than this serves the `listen` checks of one round. */
const SNAPSHOT_REUSE_MS = 200;

/** Refuses what cannot be waited for, with what to do instead. */
export function checkConditionWait(conditions: readonly Condition[], jobs: readonly Job[]): void {
  const needsJob = conditions.find((c) => !isWorldCondition(c));
  if (jobs.length === 0 && needsJob) {
    throw new ProcdError(ErrorCode.InvalidParams, `invalid params.for: \`${conditionText(needsJob)}\` is about a job; name one (procd wait ID|NAME --for ${conditionText(needsJob)}), or wait for port-free=, tcp= or http=, which need none`, { field: 'params.jobs' });
  }
  if (conditions.some((c) => c.kind === 'ready')) {
    const unprobed = jobs.find((j) => !j.spec.probes?.ready);
    if (unprobed) {
      throw new ProcdError(ErrorCode.InvalidParams, `invalid params.for: job ${unprobed.id} (${unprobed.name}) has no readiness probe, so \`ready\` would never hold; wait for what it would check instead (--for listen=PORT, --for http=URL, --for output=REGEX), or start it with --ready-when`, {
        field: 'params.for',
        job: unprobed.id,
      });
    }
  }
}

export async function waitWithConditions(ctx: DaemonContext, params: ParamsOf<'wait'> & { for: Condition[] }, call: CallContext): Promise<WaitResult> {
  const jobs = (params.jobs ?? []).map((ref) => ctx.table.resolve(ref));
  checkConditionWait(params.for, jobs);
  const timeoutMs = effectiveTimeoutMs(params.for, params.timeoutMs);
  const outcome = await waitForConditions(daemonDeps(ctx), { jobs, conditions: params.for, all: params.all === true, newOutput: params.newOutput === true, timeoutMs, cancelled: call.closed });
  // The waiter went away: no one reads an answer, so none is put together.
  if (outcome.kind === 'cancelled') return { jobs: [], timedOut: false };
  // Ended jobs: their last output written and counted before the answer (as for a plain wait).
  await Promise.all(jobs.map((j) => awaitOutputClosed(ctx.table, j.id, OUTPUT_CLOSE_MS)));
  const now = jobs.map((j) => ctx.table.get(j.id));
  const removed = jobs.filter((_j, i) => !now[i]);
  if (removed.length && !call.isClosed()) {
    throw new ProcdError(ErrorCode.JobNotFound, `job ${removed.map((j) => j.id).join(', ')} was removed while waiting for it`, { job: removed[0]!.id, removed: removed.map((j) => j.id) });
  }
  const current = now.filter((j): j is Job => j !== undefined);
  const answer = await forAnswer(params.for, params.all === true, timeoutMs, outcome, current);
  return { jobs: current.map((j) => viewOf(j, params.env)), timedOut: outcome.kind === 'timeout', for: answer };
}

async function forAnswer(conditions: readonly Condition[], all: boolean, timeoutMs: number | null, outcome: ConditionWaitOutcome, jobs: readonly Job[]): Promise<WaitFor> {
  const byId = new Map(jobs.map((j) => [j.id, j]));
  const texts = conditions.map(conditionText);
  const endedJob = outcome.endedJob === null ? undefined : byId.get(outcome.endedJob);
  const tails = await Promise.all(
    jobs.map(async (j) => ({ job: j.id, name: j.name, state: j.state.kind, exitCode: isTerminal(j.state) ? j.state.exitCode : null, ...(await lastLines(j.dir)) })),
  );
  return {
    outcome: outcome.kind === 'cancelled' ? 'timeout' : outcome.kind, // cancelled is answered before this
    conditions: texts,
    all,
    fired: outcome.fired.map((f) => ({ job: f.job, name: f.job === null ? null : (byId.get(f.job)?.name ?? null), condition: texts[f.index] ?? '', detail: f.detail, at: f.at })),
    ended:
      endedJob && isTerminal(endedJob.state)
        ? { job: endedJob.id, name: endedJob.name, state: endedJob.state.kind, exitCode: endedJob.state.exitCode, signal: endedJob.state.signal?.name ?? null, outcome: endedJob.state.outcome }
        : null,
    waitedMs: outcome.waitedMs,
    timeoutMs,
    tails,
  };
}

function daemonDeps(ctx: DaemonContext): ConditionWaitDeps {
  const deadlines = new Deadlines();
  let recent: { at: number; snapshot: Promise<ProcessSnapshot> } | null = null;
  const snapshot = () => {
    const at = Date.now();
    if (!recent || at - recent.at > SNAPSHOT_REUSE_MS) recent = { at, snapshot: ctx.monitor.snapshots.take() };
    return recent.snapshot;
  };
  return {
    table: ctx.table,
    deadlines,
    createCheck,
    pidsOf: async (job) => {
      const s = await snapshot();
      const now = ctx.table.get(job.id) ?? job;
      return liveOnly(membersOf(now, s), s);
    },
    checkPortFree,
    refreshOutput: (id) => ctx.supervisor.refreshOutput(id),
    outputEnds,
    outputClosed: (id) => awaitOutputClosed(ctx.table, id, OUTPUT_CLOSE_MS),
    now: () => deadlines.now(),
  };
}
