// What the analysers, baselines and ETAs read from the history, whatever stores it: the history
// store (daemon/history/) implements it; tests give an array.

import type { Baseline, HistoryRun } from '../../shared/history.js';

export interface HistoryReader {
  /** Runs that ended at or after `since` (ms since epoch), oldest first. */
  runsSince(since: number): readonly HistoryRun[];
  /** The learned duration of a command signature (shared/history.ts commandSignature); null below BASELINE_MIN_RUNS successful runs. */
  baseline(signature: string): Baseline | null;
}

/**
 * Finished runs read field by field, by index (0: the oldest by end): what `analyze` reads. The
 * store answers from its columns without building a HistoryRun per run (100,000 of them took
 * ~150 ms, twice what the analysers take); an array of runs is one too (analysis/runs.ts).
 * Only the fields the analysers and trends read.
 */
export interface RunTable {
  readonly length: number;
  jobId(i: number): number;
  run(i: number): number;
  name(i: number): string;
  signature(i: number): string;
  command(i: number): string;
  cwd(i: number): string;
  kind(i: number): HistoryRun['kind'];
  startedAt(i: number): number;
  endedAt(i: number): number;
  durationMs(i: number): number;
  state(i: number): HistoryRun['state'];
  exitCode(i: number): number | null;
  signal(i: number): string | null;
  restarts(i: number): number;
  rssPeak(i: number): number | null;
  cpuAvg(i: number): number | null;
  rssAvg(i: number): number | null;
  flags(i: number): HistoryRun['flags'];
  errors(i: number): HistoryRun['errors'];
}
