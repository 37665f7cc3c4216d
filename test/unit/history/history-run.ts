// Synthetic history runs for the store's tests.

import type { HistoryRun } from '../../../shared/history.js';

export function historyRun(over: Partial<HistoryRun> = {}): Omit<HistoryRun, 'seq'> {
  const startedAt = over.startedAt ?? 1_000_000;
  const durationMs = over.durationMs ?? 1000;
  return {
    jobId: 1,
    run: 1,
    name: 'build',
    signature: '["make"]@/src',
    command: 'make',
    cwd: '/src',
    tags: [],
    group: 'default',
    kind: 'task',
    startedAt,
    endedAt: startedAt + durationMs,
    durationMs,
    state: 'completed',
    outcome: 'exit',
    outcomeDetail: null,
    exitCode: 0,
    signal: null,
    restarts: 0,
    cpuPeak: 12.5,
    cpuAvg: 3.25,
    rssPeak: 1 << 20,
    rssAvg: 1 << 19,
    flags: [],
    violations: [],
    readyAfterMs: null,
    stderrTail: [],
    errors: [],
    ...over,
  };
}
