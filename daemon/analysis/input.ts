// What every analyser reads: a pure function of these, so tests give synthetic histories and a
// fixed `now` (the fake clock) and know the answer.

import type { JobRef } from '../../shared/analyze.js';
import type { Job } from '../../shared/job.js';
import type { Baseline, HistoryRun } from '../../shared/history.js';
import type { Thresholds } from '../monitor/thresholds.js';
import type { RunTable, Runs } from './runs.js';

export interface AnalysisInput {
  now: number;
  /** The period's start: runs that ended at or after it (the reader already gives only those). */
  since: number;
  /** Every job in the table now, live and finished. */
  jobs: readonly Job[];
  /** Finished runs within the period, oldest first by end: the store's RunTable, or an array (tests). */
  runs: Runs;
  baseline(signature: string): Baseline | null;
  thresholds: Thresholds;
  /** The machine's memory (a bottleneck's share of it). */
  totalMemoryBytes: number;
}

export function jobRef(job: Job): JobRef {
  return { jobId: job.id, name: job.name, run: null };
}

/** The i-th run of a table as a report names it. */
export function runRefAt(runs: RunTable, i: number): JobRef {
  return { jobId: runs.jobId(i), name: runs.name(i), run: runs.run(i) };
}

/** A finished run that counts as a failure: it failed or timed out (a run someone killed is not). */
export function isFailedRun(run: HistoryRun): boolean {
  return isFailureState(run.state);
}

export function isFailureState(state: HistoryRun['state']): boolean {
  return state === 'failed' || state === 'timed_out';
}

/** One rule for "it succeeded": the baselines' (completed with exit 0). */
export { isSuccessfulRun } from '../history/baseline.js';

/** Rounded for reports: figures people read, not 17 digits. */
export function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
