// Synthetic histories for the analysers' tests: a finished run with plain defaults (a 1 s task that
// completed), and a HistoryReader over an array, as the history store would answer.

import type { Baseline, HistoryRun } from '../../shared/history.js';
import type { HistoryReader } from '../../daemon/history/reader.js';
import { computeBaseline, isSuccessfulRun } from '../../daemon/history/baseline.js';
import { T0 } from './job-factory.js';

let nextSeq = 1;

/** A finished run; `startedAt` defaults to T0 + seq seconds, the end follows from durationMs. */
export function makeRun(over: Partial<HistoryRun> = {}): HistoryRun {
  const seq = over.seq ?? nextSeq++;
  const durationMs = over.durationMs ?? 1000;
  const startedAt = over.startedAt ?? T0 + seq * 1000;
  const jobId = over.jobId ?? seq;
  return {
    seq,
    jobId,
    run: 1,
    name: `j${jobId}`,
    signature: '["npm","test"]@/app',
    command: 'npm test',
    cwd: '/app',
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
    cpuPeak: null,
    cpuAvg: null,
    rssPeak: null,
    rssAvg: null,
    flags: [],
    violations: [],
    readyAfterMs: null,
    stderrTail: [],
    errors: [],
    ...over,
  };
}

/** A failed run (exit 1) with the given errors. */
export function failedRun(over: Partial<HistoryRun> = {}): HistoryRun {
  return makeRun({ state: 'failed', exitCode: 1, ...over });
}

/** What the history store answers, over an array: runs by end time, baselines as shared/history.ts defines them. */
export function arrayHistory(runs: readonly HistoryRun[]): HistoryReader {
  const sorted = [...runs].sort((a, b) => a.endedAt - b.endedAt || a.seq - b.seq);
  return {
    runsSince: (since) => sorted.filter((r) => r.endedAt >= since),
    baseline: (signature) => baselineOf(sorted, signature),
  };
}

/** The store's rule (daemon/history/baseline.ts), over the array. */
function baselineOf(runs: readonly HistoryRun[], signature: string): Baseline | null {
  return computeBaseline(signature, runs.filter((r) => r.signature === signature && isSuccessfulRun(r)).map((r) => r.durationMs));
}
