// The history's bounds (PROCD_HISTORY_MAX_RUNS, PROCD_HISTORY_MAX_AGE; read in daemon/main.ts like
// every other setting) and the segment size that follows from them.

export interface HistorySettings {
  /** Keep at most this many runs (the oldest go first). */
  maxRuns?: number;
  /** Forget runs that ended longer ago than this. */
  maxAgeMs?: number;
}

export const DEFAULT_HISTORY_MAX_RUNS = 100_000;
export const DEFAULT_HISTORY_MAX_AGE_MS = 30 * 86_400_000;

export function historyBounds(s: HistorySettings = {}): { maxRuns: number; maxAgeMs: number } {
  return { maxRuns: s.maxRuns ?? DEFAULT_HISTORY_MAX_RUNS, maxAgeMs: s.maxAgeMs ?? DEFAULT_HISTORY_MAX_AGE_MS };
}

/**
 * Runs per segment file: an eighth of the bound (so at most about one segment of dropped runs sits
 * on disk before it is deleted or rewritten), between 256 and 16,384 (~8 MB).
 */
export function segmentRunsFor(maxRuns: number): number {
  return Math.min(16_384, Math.max(256, Math.ceil(maxRuns / 8)));
}
