// The limit decision, sampled: a pure function of the job's limits, the monitor's latest reading
// of its tree and what was remembered from earlier readings. It says which limits are exceeded
// now and which of those are new violations (a limit that stays exceeded is one violation, not
// one per tick; after it comes back under, exceeding it again is a new one).

import type { ResourceSample } from '../../shared/job.js';
import { CPU_LIMIT_WINDOW_MS, LIMIT_KINDS, type JobLimits, type LimitKind, type LimitViolation } from '../../shared/limits.js';

/** A CPU reading: the tree's % of one core over the interval that ends at `at` (null: no reading yet). */
export interface CpuPoint {
  at: number;
  cpuPercent: number | null;
}

/** What the decision remembers between readings of one run. */
export interface LimitWatch {
  /** Readings back to the last one at or before the start of the CPU window. */
  cpu: CpuPoint[];
  /** Limits exceeded at the last reading. */
  over: LimitKind[];
}

export const NO_LIMIT_WATCH: LimitWatch = { cpu: [], over: [] };

export interface LimitCheck {
  watch: LimitWatch;
  /** Limits exceeded now, with the figure seen. */
  exceeded: { limit: LimitKind; value: number; max: number }[];
  /** The exceeded ones that were not exceeded at the last reading. */
  violations: LimitViolation[];
}

export function checkLimits(limits: JobLimits, sample: ResourceSample, watch: LimitWatch, windowMs = CPU_LIMIT_WINDOW_MS): LimitCheck {
  const cpu = limits.maxCpuPercent === null ? [] : cpuHistory(watch.cpu, { at: sample.at, cpuPercent: sample.cpuPercent }, windowMs);
  const seen: Record<LimitKind, number | null> = {
    memory: sample.rssBytes,
    cpu: windowAverage(cpu, windowMs),
    fds: sample.fds,
    procs: sample.processes,
  };
  const max: Record<LimitKind, number | null> = { memory: limits.maxMemoryBytes, cpu: limits.maxCpuPercent, fds: limits.maxFds, procs: limits.maxProcs };
  const exceeded: LimitCheck['exceeded'] = [];
  for (const limit of LIMIT_KINDS) {
    const value = seen[limit];
    const ceiling = max[limit];
    if (value !== null && ceiling !== null && value > ceiling) exceeded.push({ limit, value, max: ceiling });
  }
  const violations = exceeded.filter((e) => !watch.over.includes(e.limit)).map((e) => ({ ...e, at: sample.at, action: limits.onLimit }));
  return { watch: { cpu, over: exceeded.map((e) => e.limit) }, exceeded, violations };
}

/**
 * Adds a reading and drops those no longer needed: the oldest kept one is the last at or before
 * the window's start (it only marks where the first interval inside the window begins). A reading
 * without a figure (a new tree's first) starts the history over.
 */
export function cpuHistory(history: readonly CpuPoint[], point: CpuPoint, windowMs: number): CpuPoint[] {
  if (point.cpuPercent === null) return [point];
  const all = [...history.filter((p) => p.at < point.at), point];
  const start = point.at - windowMs;
  let first = 0;
  for (let i = 0; i < all.length; i++) if (all[i]!.at <= start) first = i;
  return all.slice(first);
}

/**
 * The tree's CPU averaged over the window (each reading weighted by the interval it covers), or
 * null until the readings cover the whole window: a short spike never counts as sustained use.
 */
export function windowAverage(history: readonly CpuPoint[], windowMs: number): number | null {
  const first = history[0];
  const last = history[history.length - 1];
  if (!first || !last || last.at - first.at < windowMs) return null;
  let weighted = 0;
  for (let i = 1; i < history.length; i++) weighted += (history[i]!.cpuPercent ?? 0) * (history[i]!.at - history[i - 1]!.at);
  return Number((weighted / (last.at - first.at)).toFixed(1));
}
