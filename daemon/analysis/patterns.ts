// Patterns over the period's finished runs, overall and per command signature, in one pass: runs,
// failure rate, avg/p50/p95 duration, the duration trend of its successful runs (trend.ts), the
// most common exit codes and signals of its unsuccessful runs, and flakiness — consecutive runs
// alternating between success and failure.

import type { CountOf, RunStats, SignaturePattern } from '../../shared/analyze.js';
import type { HistoryRun } from '../../shared/history.js';
import { isFailedRun, isSuccessfulRun, round } from './input.js';
import { addPoint, emptySums, fitTrend, type TrendSums } from './trend.js';

/** A signature is flaky with at least this many runs, both outcomes, and consecutive runs differing this often. */
export const FLAKY = { minRuns: 4, minFlipRate: 0.5 } as const;
const TOP_COUNTS = 5;

interface Acc {
  runs: number;
  failures: number;
  restarts: number;
  durations: number[];
  exitCodes: Map<number, number>;
  signals: Map<string, number>;
}

interface SigAcc extends Acc {
  last: HistoryRun;
  trend: TrendSums;
  /** Whether the previous pass/fail run succeeded (null: none yet); flips: how often that changed. */
  prevOk: boolean | null;
  judged: number;
  flips: number;
  passes: number;
}

const emptyAcc = (): Acc => ({ runs: 0, failures: 0, restarts: 0, durations: [], exitCodes: new Map(), signals: new Map() });

function add(acc: Acc, run: HistoryRun, failed: boolean, ok: boolean): void {
  acc.runs++;
  if (failed) acc.failures++;
  // A run that came after a restart of its job (by its policy, `procd restart`, a reboot).
  if (run.restarts > 0) acc.restarts++;
  acc.durations.push(run.durationMs);
  if (!ok) {
    if (run.signal) acc.signals.set(run.signal, (acc.signals.get(run.signal) ?? 0) + 1);
    else if (run.exitCode !== null) acc.exitCodes.set(run.exitCode, (acc.exitCodes.get(run.exitCode) ?? 0) + 1);
  }
}

export function patterns(runs: readonly HistoryRun[]): { overall: RunStats; bySignature: SignaturePattern[] } {
  const overall = emptyAcc();
  const bySig = new Map<string, SigAcc>();
  for (const run of runs) {
    const failed = isFailedRun(run);
    const ok = isSuccessfulRun(run);
    add(overall, run, failed, ok);
    let s = bySig.get(run.signature);
    if (!s) {
      s = { ...emptyAcc(), last: run, trend: emptySums(), prevOk: null, judged: 0, flips: 0, passes: 0 };
      bySig.set(run.signature, s);
    }
    add(s, run, failed, ok);
    s.last = run;
    if (ok) addPoint(s.trend, run.durationMs);
    // Killed and lost runs say nothing about passing or failing: they are left out of the alternation.
    if (ok || failed) {
      if (s.prevOk !== null && s.prevOk !== ok) s.flips++;
      s.prevOk = ok;
      s.judged++;
      if (ok) s.passes++;
    }
  }
  const bySignature = [...bySig.entries()].map(([signature, s]): SignaturePattern => {
    const flipRate = s.judged > 1 ? round(s.flips / (s.judged - 1), 3) : 0;
    return {
      signature,
      command: s.last.command,
      cwd: s.last.cwd,
      name: s.last.name,
      lastJobId: s.last.jobId,
      ...stats(s),
      trend: fitTrend(s.trend),
      flipRate,
      flaky: s.judged >= FLAKY.minRuns && s.passes > 0 && s.passes < s.judged && flipRate >= FLAKY.minFlipRate,
    };
  });
  // Most runs first: the commands that matter most to the user.
  bySignature.sort((a, b) => b.runs - a.runs || b.failures - a.failures);
  return { overall: stats(overall), bySignature };
}

function stats(acc: Acc): RunStats {
  const sorted = Float64Array.from(acc.durations).sort();
  const n = sorted.length;
  let sum = 0;
  for (const d of sorted) sum += d;
  return {
    runs: acc.runs,
    failures: acc.failures,
    failureRate: acc.runs ? round(acc.failures / acc.runs, 3) : 0,
    avgMs: n ? Math.round(sum / n) : null,
    p50Ms: n ? percentile(sorted, 0.5) : null,
    p95Ms: n ? percentile(sorted, 0.95) : null,
    exitCodes: top(acc.exitCodes),
    signals: top(acc.signals),
    restarts: acc.restarts,
  };
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: Float64Array, p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return Math.round(sorted[i] ?? 0);
}

function top<K extends string | number>(counts: Map<K, number>): CountOf<K>[] {
  return [...counts.entries()].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count).slice(0, TOP_COUNTS);
}
