// What the analysers, baselines and ETAs read from the history, whatever stores it: the history
// store (daemon/history/) implements it; tests give an array.

import type { Baseline, HistoryRun } from '../../shared/history.js';

export interface HistoryReader {
  /** Runs that ended at or after `since` (ms since epoch), oldest first. */
  runsSince(since: number): readonly HistoryRun[];
  /** The learned duration of a command signature (shared/history.ts commandSignature); null below BASELINE_MIN_RUNS successful runs. */
  baseline(signature: string): Baseline | null;
}
