// CPU% per process from successive process-table reads: the tick delta over the wall-clock delta,
// keyed by pid + start time so that a reused pid never inherits another process's reading.

import { CLOCK_TICKS_PER_SECOND, type ProcInfo } from './procfs.js';

/** The identity key of a process: `pid:startTicks`. */
export function procKey(p: Pick<ProcInfo, 'pid' | 'startTicks'>): string {
  return `${p.pid}:${p.startTicks}`;
}

/** Remembers the last CPU-tick reading of every process it was shown, and turns the next one into a rate. */
export class CpuSampler {
  #last = new Map<string, { ticks: number; atMs: number }>();

  /**
   * Feeds one reading (a table or a list of processes, read at `atMs`, a monotonic clock such as
   * performance.now() is best) and returns key → CPU% of one core since the previous reading
   * (above 100 for multi-threaded work), or null for a process seen for the first time.
   * Processes absent from this reading are forgotten.
   */
  sample(procs: ReadonlyMap<number, ProcInfo> | Iterable<ProcInfo>, atMs: number): Map<string, number | null> {
    const list = procs instanceof Map ? procs.values() : (procs as Iterable<ProcInfo>);
    const result = new Map<string, number | null>();
    const next = new Map<string, { ticks: number; atMs: number }>();
    for (const p of list) {
      const key = procKey(p);
      const ticks = p.utimeTicks + p.stimeTicks;
      const prev = this.#last.get(key);
      const elapsedMs = prev ? atMs - prev.atMs : 0;
      result.set(key, prev && elapsedMs > 0 && ticks >= prev.ticks ? ((ticks - prev.ticks) * 100_000) / CLOCK_TICKS_PER_SECOND / elapsedMs : null);
      // Keep the older reading when no time has passed, so the next rate spans a real interval.
      next.set(key, prev && elapsedMs <= 0 ? prev : { ticks, atMs });
    }
    this.#last = next;
    return result;
  }

  /** Number of processes currently remembered. */
  get size(): number {
    return this.#last.size;
  }
}
