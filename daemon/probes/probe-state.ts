// The probes' arithmetic, as pure functions: when the next check is due, and what a check's
// result makes of the job's probe status (ready after `successThreshold` passes in a row;
// unhealthy after `failureThreshold` failures in a row, healthy again after `successThreshold`
// passes). The runner (probe-runner.ts) acts on what they answer; tests drive them with plain numbers.

import { NO_PROBE_STATUS, type ProbeProgress, type ProbeResult, type ProbeRole, type ProbeSpec, type ProbeStatus } from '../../shared/probes.js';

export type ProbeChange = 'ready' | 'unhealthy' | 'healthy';

export interface AfterCheck {
  status: ProbeStatus;
  /** What this result changed, if anything; a change is made durable and acted on. */
  change: ProbeChange | null;
}

const NO_PROGRESS: ProbeProgress = { checks: 0, passes: 0, failures: 0, last: null };

export function progressKey(role: ProbeRole): 'readiness' | 'liveness' {
  return role === 'ready' ? 'readiness' : 'liveness';
}

export function afterCheck(status: ProbeStatus | undefined, role: ProbeRole, spec: ProbeSpec, result: ProbeResult, runStartedAt: number): AfterCheck {
  const before = status ?? NO_PROBE_STATUS;
  const key = progressKey(role);
  const was = before[key] ?? NO_PROGRESS;
  const progress: ProbeProgress = {
    checks: was.checks + 1,
    passes: result.ok ? was.passes + 1 : 0,
    failures: result.ok ? 0 : was.failures + 1,
    last: result,
  };
  const next: ProbeStatus = { ...before, [key]: progress };
  if (role === 'ready') {
    if (before.ready === null && progress.passes >= spec.successThreshold) {
      return { status: { ...next, ready: { at: result.at, tookMs: Math.max(0, result.at - runStartedAt) } }, change: 'ready' };
    }
    return { status: next, change: null };
  }
  if (before.unhealthySince === null && progress.failures >= spec.failureThreshold) return { status: { ...next, unhealthySince: result.at }, change: 'unhealthy' };
  if (before.unhealthySince !== null && progress.passes >= spec.successThreshold) return { status: { ...next, unhealthySince: null }, change: 'healthy' };
  return { status: next, change: null };
}

/**
 * When the probe's next check is due: `initialDelayMs` after the run started for the first one,
 * then `intervalMs` after the previous one ended (checks never overlap). Null: not now (a
 * readiness probe stops once the job is ready). A job with a readiness probe is not checked for
 * liveness before it is ready: a server still starting is not failing (Kubernetes needs a third,
 * "startup" probe for this; here readiness is it) — its first liveness check is when it became ready.
 */
export function nextCheckAt(role: ProbeRole, spec: ProbeSpec, status: ProbeStatus | undefined, runStartedAt: number, lastCheckEndedAt: number | null, hasReadiness = false): number | null {
  if (role === 'ready') return status?.ready ? null : lastCheckEndedAt === null ? runStartedAt + spec.initialDelayMs : lastCheckEndedAt + spec.intervalMs;
  if (lastCheckEndedAt !== null) return lastCheckEndedAt + spec.intervalMs;
  if (!hasReadiness) return runStartedAt + spec.initialDelayMs;
  return status?.ready ? Math.max(runStartedAt + spec.initialDelayMs, status.ready.at) : null;
}
