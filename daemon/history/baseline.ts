// Learned baselines (issue 14): what a command usually takes, from its last successful runs. The
// rule is pure; BaselineBook keeps, per signature, the durations of its last BASELINE_WINDOW
// successful runs (with their seq, so runs the bounds dropped stop counting) as runs are recorded.

import { BASELINE_MIN_RUNS, BASELINE_WINDOW, type Baseline, type HistoryRun } from '../../shared/history.js';

/** A run a baseline learns from: it completed (exit 0). Killed, failed or timed-out runs say nothing about the usual duration. */
export function isSuccessfulRun(run: Pick<HistoryRun, 'state' | 'exitCode'>): boolean {
  return isSuccess(run.state, run.exitCode);
}

/** The same rule over the two fields (read from columns: no run object). */
export function isSuccess(state: HistoryRun['state'], exitCode: number | null): boolean {
  return state === 'completed' && exitCode === 0;
}

/**
 * Median and p90 of the given durations (the last ≤ BASELINE_WINDOW successful runs); null below
 * BASELINE_MIN_RUNS. Median: the middle value (mean of the two middle ones for an even count);
 * p90: the nearest-rank 90th percentile (the smallest value ≥ 90% of them).
 */
export function computeBaseline(signature: string, durationsMs: readonly number[]): Baseline | null {
  const recent = durationsMs.slice(-BASELINE_WINDOW);
  if (recent.length < BASELINE_MIN_RUNS) return null;
  const sorted = [...recent].sort((a, b) => a - b);
  const n = sorted.length;
  const mid = n >> 1;
  const medianMs = n % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  const p90Ms = sorted[Math.ceil(0.9 * n) - 1]!;
  return { signature, runs: n, medianMs: Math.round(medianMs), p90Ms: Math.round(p90Ms) };
}

/** The last successful durations per signature, and the baselines computed from them (cached until the next change). */
export class BaselineBook {
  private readonly windows = new Map<string, { seqs: number[]; durations: number[] }>();
  private readonly cache = new Map<string, Baseline | null>();

  /** Notes a recorded run (in seq order); only successful ones count. */
  note(run: Pick<HistoryRun, 'seq' | 'signature' | 'state' | 'exitCode' | 'durationMs'>): void {
    if (!isSuccessfulRun(run)) return;
    let w = this.windows.get(run.signature);
    if (!w) this.windows.set(run.signature, (w = { seqs: [], durations: [] }));
    w.seqs.push(run.seq);
    w.durations.push(run.durationMs);
    if (w.seqs.length > BASELINE_WINDOW) {
      w.seqs.shift();
      w.durations.shift();
    }
    this.cache.delete(run.signature);
  }

  /** Forgets a run the history's bounds dropped (and any older one of its signature still counted). */
  forget(signature: string, seq: number): void {
    const w = this.windows.get(signature);
    if (!w) return;
    let cut = 0;
    while (cut < w.seqs.length && w.seqs[cut]! <= seq) cut++;
    if (cut === 0) return;
    if (cut === w.seqs.length) this.windows.delete(signature);
    else {
      w.seqs.splice(0, cut);
      w.durations.splice(0, cut);
    }
    this.cache.delete(signature);
  }

  baseline(signature: string): Baseline | null {
    const cached = this.cache.get(signature);
    if (cached !== undefined) return cached;
    const w = this.windows.get(signature);
    const b = w ? computeBaseline(signature, w.durations) : null;
    this.cache.set(signature, b);
    return b;
  }
}
