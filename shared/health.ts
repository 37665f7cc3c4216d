// A health score 0–100 per job with a live process, and the reasons for every point it lost
// (issue 12). The formula, also in the README:
//   start at 100;
//   −50 while the liveness probe fails (its last check failed);
//   −30 while not ready after the readiness probe's initial delay;
//   −20 per raised flag of severity high, −10 per medium one (not `unhealthy`: the liveness term counts it);
//   −20 per limit violation in the last 10 minutes;
//   −10 per restart in the last 10 minutes;
//   floor 0.
// A pure function of the job and the time, computed when a job is answered (never stored).

import { hasLiveProcess, type Job } from './job.js';

export interface HealthReason {
  /** Points lost (negative). */
  points: number;
  why: string;
}

export interface Health {
  score: number;
  /** Every deduction, largest first; empty at 100. */
  reasons: HealthReason[];
}

export const HEALTH_WINDOW_MS = 10 * 60_000;

export function healthOf(job: Job, now: number): Health | null {
  if (!hasLiveProcess(job.state)) return null;
  const reasons: HealthReason[] = [];
  const liveness = job.probes?.liveness?.last;
  if (job.spec.probes?.alive && liveness && !liveness.ok) reasons.push({ points: -50, why: `liveness probe failing: ${liveness.detail}` });
  const ready = job.spec.probes?.ready;
  if (ready && !job.probes?.ready && now - job.state.startedAt > ready.initialDelayMs) {
    const last = job.probes?.readiness?.last;
    reasons.push({ points: -30, why: `not ready${last ? `: ${last.detail}` : ''}` });
  }
  for (const flag of job.flags) {
    if (flag.kind === 'unhealthy') continue;
    reasons.push({ points: flag.severity === 'high' ? -20 : -10, why: `${flag.kind.replace('_', ' ')} (${flag.severity}): ${flag.detail}` });
  }
  const since = now - HEALTH_WINDOW_MS;
  for (const v of job.violations ?? []) if (v.at > since) reasons.push({ points: -20, why: `went over its ${v.limit} limit (${v.value} > ${v.max})` });
  const restarts = (job.runs?.earlier ?? []).filter((r) => r.endedAt > since).length;
  if (restarts > 0) reasons.push({ points: -10 * restarts, why: `${restarts} restart${restarts === 1 ? '' : 's'} in the last 10 minutes` });
  reasons.sort((a, b) => a.points - b.points);
  const lost = reasons.reduce((sum, r) => sum - r.points, 0);
  return { score: Math.max(0, 100 - lost), reasons };
}
