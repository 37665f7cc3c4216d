// Restart policies and runs in words, for `status` and `ls` (pure: the job and the time in, text
// out). Both are hot commands: this stays small (test/e2e/ls-load.test.ts holds the bin to a budget).

import { formatDuration as dur } from '../../shared/duration.js';
import type { Job, JobSummary, QueueReason } from '../../shared/job.js';
import type { RestartSpec, RunRecord } from '../../shared/restart.js';
import { localTime, when } from './format-time.js';

type Runs = Pick<JobSummary, 'state' | 'runs'>;

/** The restart the job waits for, when it is queued for one. */
export function pendingRestart(job: Pick<Job, 'state'>): Extract<QueueReason, { kind: 'restart' }> | null {
  const s = job.state;
  return s.kind === 'queued' && s.reason.kind === 'restart' ? s.reason : null;
}

/** `on-failure: delay 1.0s ×2 up to 1m00s ±10%, reset after 30s up; restarts: at most 10 in 10m00s`. */
export function policyText(r: RestartSpec): string {
  const limit = r.maxRestarts === null ? 'no limit' : `at most ${r.maxRestarts} in ${dur(r.windowMs)}`;
  return `${r.policy}: delay ${dur(r.delayMs)} ×${r.factor} up to ${dur(r.maxDelayMs)} ±${Math.round(r.jitter * 100)}%, reset after ${dur(r.stableMs)} up; restarts: ${limit}`;
}

/** `3`, `SIGKILL(137)`, `spawn_error`: how a run ended, as ls's EXIT says it. */
function runExit(r: RunRecord): string {
  if (r.signal) return `${r.signal.name}(${r.exitCode ?? 128 + r.signal.number})`;
  return r.outcome === 'exit' ? String(r.exitCode) : r.outcome;
}

/**
 * status's rows about restarts: the policy, the run and restart count, how the last run ended, and
 * the next attempt while the job waits for one. None for a job without a policy that never restarted.
 */
export function restartRows(job: Runs & { spec: Pick<Job['spec'], 'restart'> }, now: number): [string, string][] {
  const policy = job.spec.restart;
  const runs = job.runs;
  if ((!policy || policy.policy === 'no') && !runs) return [];
  const pending = pendingRestart(job);
  const last = runs?.earlier.at(-1);
  const rows: [string, string][] = policy ? [['restart', policyText(policy)]] : [];
  rows.push(['run', `${runs?.current ?? 1}${pending ? ' (not started yet)' : ''}, restarts so far: ${runs?.restarts ?? 0}`]);
  // The outcome when it says more than the state (unhealthy: liveness, limit: memory).
  const outcome = last && last.outcome !== 'exit' && last.outcome !== 'signal' ? ` (${last.outcome}${last.outcomeDetail ? `: ${last.outcomeDetail}` : ''})` : '';
  if (last) rows.push(['last run', `run ${last.run}: ${last.state}${outcome}, exit ${runExit(last)} after ${dur(last.durationMs)}, ended ${when(last.endedAt, now)}`]);
  // The `queued` row says why (the reason's detail).
  if (pending) rows.push(['next attempt', `${localTime(pending.at)} (in ${dur(Math.max(0, pending.at - now))})`]);
  return rows;
}

/** ls's STATE for a restarted job: `running ↻3`; `restarting ↻1` while it waits (TIME says when). */
export function lsState(job: Runs, state: string): string {
  const restarts = job.runs?.restarts ?? 0;
  const shown = pendingRestart(job) ? 'restarting' : state;
  return restarts > 0 ? `${shown} ↻${restarts}` : shown;
}

/** ls's EXIT of a job waiting to restart: how its last run ended. */
export function lastRunExit(job: Runs): string | null {
  const last = pendingRestart(job) ? job.runs?.earlier.at(-1) : undefined;
  return last ? runExit(last) : null;
}
