// Synthetic history runs for the store's tests: the analysers' factory (test/helpers/history-runs.ts)
// with the store tests' defaults (a `make` that used some CPU and memory), without its seq (the
// store gives one).

import type { HistoryRun } from '../../../shared/history.js';
import { makeRun } from '../../helpers/history-runs.js';

export function historyRun(over: Partial<HistoryRun> = {}): Omit<HistoryRun, 'seq'> {
  const { seq: _seq, ...run } = makeRun({
    jobId: 1,
    name: 'build',
    signature: '["make"]@/src',
    command: 'make',
    cwd: '/src',
    startedAt: 1_000_000,
    cpuPeak: 12.5,
    cpuAvg: 3.25,
    rssPeak: 1 << 20,
    rssAvg: 1 << 19,
    ...over,
  });
  return run;
}
