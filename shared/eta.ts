// How long a running job has left: a pure function of its progress reports, its active time and,
// when there is history, the learned baseline of its command (shared/history.ts). Times are the
// run's active time (paused time left out), so a pause neither slows the rate nor ages the estimate.
//
// - From progress: the rate since the run's first report (or, with one report so far, since the
//   run started at 0%). The end is projected from the last report at that rate; once that moment
//   has passed without the job ending, the rate is taken up to now instead (as if nothing moved
//   since the last report), so a stalled job's estimate grows rather than sitting at "0s left".
// - From history: with progress, the share of a usual run (the median) still ahead; without, the
//   median minus the time run so far (past the median: the p90; past that: no estimate).
// - Both: weighted by how far the job is: at 20% the history counts 80%, at 90% the rate 90%.

import type { Baseline } from './history.js';
import { hasLiveProcess, type Job, type JobState } from './job.js';
import type { JobProgress } from './progress.js';

export type EtaBasis = 'progress' | 'history' | 'progress+history';

export interface Eta {
  /** Active time left, in ms (0: it should end any moment). */
  leftMs: number;
  basis: EtaBasis;
}

export interface EtaInput {
  progress: Pick<JobProgress, 'percent' | 'activeMs' | 'first'> | null;
  /** The run's active time now. */
  activeMs: number;
  baseline: Pick<Baseline, 'medianMs' | 'p90Ms'> | null;
}

export function estimateEta({ progress, activeMs, baseline }: EtaInput): Eta | null {
  const fromRate = progress ? rateLeft(progress, activeMs) : null;
  const fromHistory = baseline ? historyLeft(baseline, progress?.percent ?? null, activeMs) : null;
  if (fromRate !== null && fromHistory !== null) {
    const w = progress!.percent / 100;
    return { leftMs: Math.round(w * fromRate + (1 - w) * fromHistory), basis: 'progress+history' };
  }
  if (fromRate !== null) return { leftMs: Math.round(fromRate), basis: 'progress' };
  if (fromHistory !== null) return { leftMs: Math.round(fromHistory), basis: 'history' };
  return null;
}

/** Time left at the rate measured so far; null while there is no rate yet. */
function rateLeft(p: Pick<JobProgress, 'percent' | 'activeMs' | 'first'>, now: number): number | null {
  if (p.percent >= 100) return 0;
  // The first report is the origin once a later one moved past it; before, the run's start at 0%.
  const origin = p.activeMs > p.first.activeMs && p.percent > p.first.percent ? p.first : { percent: 0, activeMs: 0 };
  const gained = p.percent - origin.percent;
  const span = p.activeMs - origin.activeMs;
  if (gained <= 0 || span <= 0) return null;
  const left = 100 - p.percent;
  const projected = p.activeMs + (left * span) / gained;
  if (projected > now) return projected - now;
  return (left * Math.max(span, now - origin.activeMs)) / gained;
}

function historyLeft(b: Pick<Baseline, 'medianMs' | 'p90Ms'>, percent: number | null, now: number): number | null {
  if (percent !== null) return (b.medianMs * (100 - percent)) / 100;
  if (now < b.medianMs) return b.medianMs - now;
  if (now < b.p90Ms) return b.p90Ms - now;
  return null;
}

/**
 * The ETA of a job as answered (status, ls): while it has a live process, from its progress in
 * this run and the baseline of its command. A service is meant to stay up: only its own progress
 * reports give it an ETA, never the history.
 */
export function etaOf(job: Pick<Job, 'state' | 'progress'> & { spec: Pick<Job['spec'], 'kind'> }, now: number, baseline: Baseline | null): Eta | null {
  if (!hasLiveProcess(job.state)) return null;
  const history = job.spec.kind === 'service' ? null : baseline;
  return estimateEta({ progress: job.progress ?? null, activeMs: runActiveMs(job.state, now), baseline: history });
}

/** Active time of a live run by `now` (as daemon/jobs/pause-clock.ts activeMs, which shared code cannot import). */
export function runActiveMs(state: Extract<JobState, { kind: 'running' | 'paused' }>, now: number): number {
  const paused = (state.pausedMs ?? 0) + (state.kind === 'paused' ? Math.max(0, now - state.pausedAt) : 0);
  return Math.max(0, now - state.startedAt - paused);
}
