// Synthetic histories for the analysers' tests: a finished run with plain defaults (a 1 s task that
// completed), and a HistoryReader over an array, as the history store would answer.

import type { Baseline, HistoryRun } from '../../shared/history.js';
import { BASELINE_MIN_RUNS, BASELINE_WINDOW } from '../../shared/history.js';
import type { HistoryReader } from '../../daemon/history/reader.js';
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

function baselineOf(runs: readonly HistoryRun[], signature: string): Baseline | null {
  const ok = runs.filter((r) => r.signature === signature && r.state === 'completed' && r.exitCode === 0).slice(-BASELINE_WINDOW);
  if (ok.length < BASELINE_MIN_RUNS) return null;
  const d = ok.map((r) => r.durationMs).sort((a, b) => a - b);
  const at = (p: number) => d[Math.min(d.length - 1, Math.ceil(p * d.length) - 1)] ?? 0;
  return { signature, runs: ok.length, medianMs: at(0.5), p90Ms: at(0.9) };
}
