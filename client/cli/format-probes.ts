// How probes and health read in `status` and `ls`: readiness with the time it took, liveness
// with its last answer, and the health score with its reasons.

import { conditionText } from '../../shared/conditions.js';
import { formatDuration } from '../../shared/duration.js';
import { hasLiveProcess, type JobSummary } from '../../shared/job.js';
import type { ProbeProgress, ProbeSpec } from '../../shared/probes.js';

type Probed = Pick<JobSummary, 'state' | 'probes' | 'health'> & { spec: Pick<JobSummary['spec'], 'probes'> };

/** ls's STATE suffix: `running (ready 1.2s)`, `running (not ready)`, `running (unhealthy)`. */
export function probeSuffix(job: Probed): string {
  if (!hasLiveProcess(job.state)) return '';
  if (job.probes?.unhealthySince != null) return ' (unhealthy)';
  if (!job.spec.probes?.ready) return '';
  return job.probes?.ready ? ` (ready ${formatDuration(job.probes.ready.tookMs)})` : ' (not ready)';
}

/** status rows: each probe, what it found, and the health score. */
export function probeRows(job: Probed, time: (ms: number) => string): [string, string][] {
  const rows: [string, string][] = [];
  const { ready, alive } = job.spec.probes ?? {};
  if (ready) {
    const found = job.probes?.ready ? `ready after ${formatDuration(job.probes.ready.tookMs)} (${time(job.probes.ready.at)})` : hasLiveProcess(job.state) ? 'not ready yet' : 'never became ready';
    rows.push(['ready when', `${conditionText(ready.when)}: ${found}${lastCheck(job.probes?.readiness)}`]);
    rows.push(['', figures(ready)]);
  }
  if (alive) {
    const since = job.probes?.unhealthySince;
    rows.push(['alive when', `${conditionText(alive.when)}: ${since != null ? `unhealthy since ${time(since)}` : 'healthy'}${lastCheck(job.probes?.liveness)}`]);
    rows.push(['', figures(alive)]);
  }
  if (job.health) {
    const why = job.health.reasons.map((r) => `${r.points} ${r.why}`).join('; ');
    rows.push(['health', `${job.health.score}/100${why ? ` (${why})` : ''}`]);
  }
  return rows;
}

/** ls --wide's HEALTH cell. */
export function healthText(job: Pick<JobSummary, 'health'>): string {
  return job.health ? String(job.health.score) : '-';
}

function lastCheck(p: ProbeProgress | undefined): string {
  if (!p?.last) return '';
  const streak = p.last.ok ? `${p.passes} pass${p.passes === 1 ? '' : 'es'}` : `${p.failures} failure${p.failures === 1 ? '' : 's'}`;
  return `; last check ${p.last.ok ? 'passed' : 'failed'}: ${p.last.detail} (${streak} in a row, ${p.checks} checks)`;
}

function figures(p: ProbeSpec): string {
  const delay = p.initialDelayMs ? `, first after ${formatDuration(p.initialDelayMs)}` : '';
  return `every ${formatDuration(p.intervalMs)}, timeout ${formatDuration(p.timeoutMs)}${delay}; ${p.successThreshold} to pass, ${p.failureThreshold} to fail`;
}
