// Patterns over the period's finished runs, overall and per command signature, in one pass: runs,
// failure rate, avg/p50/p95 duration, the duration trend of its latest successful runs (trend.ts), the
// most common exit codes and signals of its unsuccessful runs, and flakiness — consecutive runs
// alternating between success and failure.

import type { CountOf, RunStats, SignaturePattern } from '../../shared/analyze.js';
import { isSuccess } from '../history/baseline.js';
import { isFailureState, round } from './input.js';
import { runTable, type Runs } from './runs.js';
import { percentiles } from './select.js';
import { addPoint, emptySums, fitTrend, TREND } from './duration-trend.js';

/** A signature is flaky with at least this many runs, both outcomes, and consecutive runs differing this often. */
export const FLAKY = { minRuns: 6, minFlipRate: 0.5 } as const;
const TOP_COUNTS = 5;

// Classes, not spread object literals: every accumulator has one shape, so the per-run loop stays monomorphic.
class Acc {
  runs = 0;
  failures = 0;
  restarts = 0;
  /** Durations of its runs: the first `runs` entries (a typed array grown by doubling: no boxed numbers). */
  durations: Float64Array;
  exitCodes = new Map<number, number>();
  signals = new Map<string, number>();

  constructor(capacity = 16) {
    this.durations = new Float64Array(capacity);
  }

  /** One run; `restarted`: it came after a restart of its job (by its policy, `procd restart`, a reboot). */
  add(durationMs: number, failed: boolean, restarted: boolean): void {
    if (this.runs === this.durations.length) {
      const grown = new Float64Array(this.runs * 2);
      grown.set(this.durations);
      this.durations = grown;
    }
    this.durations[this.runs++] = durationMs;
    if (failed) this.failures++;
    if (restarted) this.restarts++;
  }

  /** How an unsuccessful run ended: its signal, else its exit code. */
  addEnd(signal: string | null, exitCode: number | null): void {
    if (signal) this.signals.set(signal, (this.signals.get(signal) ?? 0) + 1);
    else if (exitCode !== null) this.exitCodes.set(exitCode, (this.exitCodes.get(exitCode) ?? 0) + 1);
  }
}

const WINDOW = TREND.window;

class SigAcc extends Acc {
  /** The durations of its latest TREND.window successful runs: a ring, `okRuns` says where it is. */
  recent = new Float64Array(WINDOW);
  okRuns = 0;
  /** Whether the previous pass/fail run succeeded (null: none yet); flips: how often that changed. */
  prevOk: boolean | null = null;
  judged = 0;
  flips = 0;
  passes = 0;

  /** The index of its latest run. */
  constructor(public last: number) {
    super(16);
  }
}

export function patterns(input: Runs): { overall: RunStats; bySignature: SignaturePattern[] } {
  const runs = runTable(input);
  const overall = new Acc(Math.max(16, runs.length));
  const bySig = new Map<string, SigAcc>();
  for (let i = 0; i < runs.length; i++) {
    // Each field read once per run (from the store's columns).
    const state = runs.state(i);
    const failed = isFailureState(state);
    const ok = isSuccess(state, runs.exitCode(i));
    const durationMs = runs.durationMs(i);
    const restarted = runs.restarts(i) > 0;
    const signature = runs.signature(i);
    let s = bySig.get(signature);
    if (!s) {
      s = new SigAcc(i);
      bySig.set(signature, s);
    }
    overall.add(durationMs, failed, restarted);
    s.add(durationMs, failed, restarted);
    if (!ok) {
      const signal = runs.signal(i);
      const exitCode = runs.exitCode(i);
      overall.addEnd(signal, exitCode);
      s.addEnd(signal, exitCode);
    }
    s.last = i;
    if (ok) s.recent[s.okRuns++ % WINDOW] = durationMs;
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
      command: runs.command(s.last),
      cwd: runs.cwd(s.last),
      name: runs.name(s.last),
      lastJobId: runs.jobId(s.last),
      ...stats(s),
      trend: trendOf(s),
      flipRate,
      flaky: s.judged >= FLAKY.minRuns && s.passes > 0 && s.passes < s.judged && flipRate >= FLAKY.minFlipRate,
    };
  });
  // Most runs first: the commands that matter most to the user.
  bySignature.sort((a, b) => b.runs - a.runs || b.failures - a.failures);
  return { overall: stats(overall), bySignature };
}

/** The trend of the latest successful runs, oldest first: is it getting slower now. */
function trendOf(s: SigAcc) {
  const sums = emptySums();
  const n = Math.min(s.okRuns, WINDOW);
  for (let i = s.okRuns - n; i < s.okRuns; i++) addPoint(sums, s.recent[i % WINDOW]!);
  return fitTrend(sums);
}

function stats(acc: Acc): RunStats {
  const n = acc.runs;
  const durations = acc.durations.subarray(0, n);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += durations[i]!;
  const [p50, p95] = percentiles(durations, [0.5, 0.95]);
  return {
    runs: acc.runs,
    failures: acc.failures,
    failureRate: acc.runs ? round(acc.failures / acc.runs, 3) : 0,
    avgMs: n ? Math.round(sum / n) : null,
    p50Ms: p50 ?? null,
    p95Ms: p95 ?? null,
    exitCodes: top(acc.exitCodes),
    signals: top(acc.signals),
    restarts: acc.restarts,
  };
}

function top<K extends string | number>(counts: Map<K, number>): CountOf<K>[] {
  return [...counts.entries()].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count).slice(0, TOP_COUNTS);
}
