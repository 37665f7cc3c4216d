// Restart policies and runs in words, for `status` and `ls` (pure: the job and the time in, text out).

import { formatDuration } from '../../shared/duration.js';
import type { Job, JobSummary, QueueReason } from '../../shared/job.js';
import type { RestartSpec, RunRecord } from '../../shared/restart.js';
import { localTime, when } from './format-time.js';
import { endText } from './run-marker.js';

type RestartReason = Extract<QueueReason, { kind: 'restart' }>;

/** The restart the job waits for, when it is queued for one. */
export function pendingRestart(job: Pick<Job, 'state'>): RestartReason | null {
  const s = job.state;
  return s.kind === 'queued' && s.reason.kind === 'restart' ? s.reason : null;
}

/** `in 3.2s`, `in 4m05s`; `now` once the time has come. */
export function inTime(at: number, now: number): string {
  return at - now < 100 ? 'now' : `in ${formatDuration(at - now)}`;
}

/** `on-failure: delay 1.0s ×2 up to 1m00s (±10%), reset after 30s up; at most 10 restarts in 10m00s`. */
export function policyText(r: RestartSpec): string {
  if (r.policy === 'no') return 'no';
  const growth = r.factor > 1 ? ` ×${r.factor} up to ${formatDuration(r.maxDelayMs)}` : '';
  const jitter = r.jitter > 0 ? ` (±${Math.round(r.jitter * 100)}%)` : '';
  const limit = r.maxRestarts === null ? 'no limit on restarts' : `at most ${r.maxRestarts} restart${r.maxRestarts === 1 ? '' : 's'} in ${formatDuration(r.windowMs)}`;
  return `${r.policy}: delay ${formatDuration(r.delayMs)}${growth}${jitter}, reset after ${formatDuration(r.stableMs)} up; ${limit}`;
}

/**
 * status's rows about restarts: the policy, the run and restart count, how the last run ended, and
 * the next attempt while the job waits for one. None for a job without a policy that never restarted.
 */
export function restartRows(job: Pick<JobSummary, 'state' | 'runs'> & { spec: Pick<Job['spec'], 'restart'> }, now: number): [string, string][] {
  const policy = job.spec.restart;
  const runs = job.runs;
  if ((!policy || policy.policy === 'no') && !runs) return [];
  const rows: [string, string][] = [];
  if (policy) rows.push(['restart', policyText(policy)]);
  const current = runs?.current ?? 1;
  const restarts = runs?.restarts ?? 0;
  const pending = pendingRestart(job);
  const after = restarts === 0 ? 'no restarts yet' : `after ${restarts} restart${restarts === 1 ? '' : 's'}`;
  rows.push(['run', `${current}${pending ? ' (not started yet)' : ''}, ${after}`]);
  const last = runs?.earlier.at(-1);
  if (last) rows.push(['last run', `run ${last.run} ${endText(last)}, ended ${when(last.endedAt, now)}`]);
  // The `queued` row above says why (the reason's detail).
  if (pending) rows.push(['next attempt', `${localTime(pending.at)} (${inTime(pending.at, now)})`]);
  return rows;
}

/** ls's STATE for a restarted job: `running ↻3`; `restarting ↻1` while it waits (TIME says when). */
export function lsState(job: Pick<JobSummary, 'state' | 'runs'>, state: string): string {
  const restarts = job.runs?.restarts ?? 0;
  const shown = pendingRestart(job) ? 'restarting' : state;
  return restarts > 0 ? `${shown} ↻${restarts}` : shown;
}

/** ls's EXIT of a job waiting to restart: how its last run ended (`3`, `SIGKILL(137)`). */
export function lastRunExit(job: Pick<JobSummary, 'state' | 'runs'>): string | null {
  const last: RunRecord | undefined = pendingRestart(job) ? job.runs?.earlier.at(-1) : undefined;
  if (!last) return null;
  if (last.outcome === 'spawn_error') return 'no start';
  if (last.signal) return `${last.signal.name}(${last.exitCode ?? 128 + last.signal.number})`;
  return last.exitCode === null ? '?' : String(last.exitCode);
}
