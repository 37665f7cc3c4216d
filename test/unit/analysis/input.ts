// The analysers' input for unit tests: a fixed now (the fake clock), default thresholds, 16 GiB of memory.

import type { AnalysisInput } from '../../../daemon/analysis/input.js';
import { DEFAULT_THRESHOLDS } from '../../../daemon/monitor/thresholds.js';
import type { HistoryRun } from '../../../shared/history.js';
import type { Job } from '../../../shared/job.js';
import { arrayHistory } from '../../helpers/history-runs.js';
import { T0 } from '../../helpers/job-factory.js';

export const NOW = T0 + 3_600_000;
export const GIB = 1024 ** 3;

export function analysisInput(over: { jobs?: Job[]; runs?: HistoryRun[]; now?: number; since?: number; baselineRuns?: HistoryRun[] } = {}): AnalysisInput {
  const runs = over.runs ?? [];
  const history = arrayHistory(over.baselineRuns ?? runs);
  return {
    now: over.now ?? NOW,
    since: over.since ?? T0,
    jobs: over.jobs ?? [],
    runs: arrayHistory(runs).runsSince(over.since ?? T0),
    baseline: (sig) => history.baseline(sig),
    thresholds: DEFAULT_THRESHOLDS,
    totalMemoryBytes: 16 * GIB,
  };
}
