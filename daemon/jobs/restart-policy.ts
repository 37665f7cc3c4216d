// Restart policies (issue 11), as a pure decision: from a job's policy, how its last run ended and
// when it restarted before, decide whether it starts again, when, or whether the policy gives up.
// The acting layer (daemon/jobs/run-end.ts) calls it at each end; it takes the clock and the
// randomness as inputs, so tests need no real time.
// The traps it avoids: pm2's unbounded restart loops (Unitech/pm2 #705, `max_restarts` ignored in
// #718) and supervisord's permanent FATAL after a few quick failures (here: backoff, then a bounded
// number of restarts in a sliding window; a run that stayed up resets the backoff).

import type { KillRecord } from '../../shared/job.js';
import type { OutcomeKind } from '../../shared/outcomes.js';
import type { RestartHistory, RestartSpec } from '../../shared/restart.js';

export { RESTART_POLICIES, defaultRestartSpec, type RestartPolicy, type RestartSpec } from '../../shared/restart.js';

/** How the run that just ended ended. */
export interface RunEnd {
  outcome: OutcomeKind;
  exitCode: number | null;
  /** Why procd stopped it, when procd did (`procd kill`, timeout, daemon stop, a limit). */
  stoppedBy: KillRecord['reason'] | null;
  /** With outcome `limit`: whether the job's `--on-limit` asked for a restart. */
  restartOnLimit?: boolean;
  startedAt: number;
  endedAt: number;
}

export type RestartDecision =
  | { kind: 'restart'; at: number; delayMs: number; history: RestartHistory }
  | { kind: 'give_up'; reason: string }
  | { kind: 'stay_down'; reason: string };

/** Whether this end counts as a failure (for `on-failure`), or ends the job for good whatever the policy. */
function classify(end: RunEnd): 'success' | 'failure' | 'final' {
  if (end.stoppedBy === 'user' || end.stoppedBy === 'shutdown' || end.stoppedBy === 'cleanup') return 'final';
  switch (end.outcome) {
    case 'exit':
      return end.exitCode === 0 ? 'success' : 'failure';
    case 'limit':
      return end.restartOnLimit ? 'failure' : 'final';
    case 'spawn_error':
    case 'oom':
    case 'unhealthy':
    case 'signal':
    case 'timeout':
    case 'vanished':
      return 'failure';
    case 'cancelled':
    case 'released':
    case 'restarts_exhausted':
    case 'dependency_failed':
      return 'final';
  }
}

/**
 * The decision at the end of a run. `random` returns [0, 1) (Math.random in the daemon, fixed in
 * tests). `now` is when the decision is made (normally the run's end).
 */
export function decideRestart(spec: RestartSpec, end: RunEnd, history: RestartHistory, now: number, random: () => number): RestartDecision {
  if (spec.policy === 'no') return { kind: 'stay_down', reason: 'its restart policy is no' };
  const kind = classify(end);
  if (kind === 'final') return { kind: 'stay_down', reason: end.stoppedBy ? `stopped by procd (${end.stoppedBy})` : `ended as ${end.outcome}` };
  if (kind === 'success' && spec.policy === 'on-failure') return { kind: 'stay_down', reason: 'it exited 0 and its policy is on-failure' };
  const recent = history.restartTimes.filter((t) => t > now - spec.windowMs);
  if (spec.maxRestarts !== null && recent.length >= spec.maxRestarts) {
    return { kind: 'give_up', reason: `${recent.length} restarts within ${Math.round(spec.windowMs / 1000)}s (at most ${spec.maxRestarts})` };
  }
  const stable = end.endedAt - end.startedAt >= spec.stableMs;
  const quickFailures = stable ? 0 : history.quickFailures + 1;
  const base = Math.min(spec.maxDelayMs, spec.delayMs * spec.factor ** Math.max(0, quickFailures - 1));
  const delayMs = Math.max(0, Math.round(base * (1 + spec.jitter * (2 * random() - 1))));
  return { kind: 'restart', at: now + delayMs, delayMs, history: { restartTimes: [...recent, now], quickFailures } };
}
