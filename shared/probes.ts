// Readiness and liveness probes (issue 12), as both sides see them: what a job's spec asks for
// (`track --ready-when/--alive-when`), and what the probes found in the current run. The
// thresholds are counted by a pure function (daemon/probes/probe-state.ts); the checks run in the
// daemon (daemon/probes/checks/*). Types and constants only: the CLI loads this.

import type { ProbeCondition } from './conditions.js';

/** `ready`: has the job become useful (checked until it first passes); `alive`: is it still (checked for the whole run). */
export type ProbeRole = 'ready' | 'alive';
export const PROBE_ROLES: readonly ProbeRole[] = ['ready', 'alive'];

export interface ProbeSpec {
  when: ProbeCondition;
  /** From the end of one check to the start of the next. */
  intervalMs: number;
  /** A check that takes longer fails. */
  timeoutMs: number;
  /** The first check is this long after the run started. */
  initialDelayMs: number;
  /** Passes in a row that make it pass (ready; healthy again after being unhealthy). */
  successThreshold: number;
  /** Failures in a row that make it fail (liveness: restart, or the `unhealthy` flag). */
  failureThreshold: number;
}

export type JobProbes = { [R in ProbeRole]?: ProbeSpec };

export const PROBE_DEFAULTS = { intervalMs: 2000, timeoutMs: 1000, initialDelayMs: 0, successThreshold: 1, failureThreshold: 3 } as const;

/** Ranges of the figures, checked by the daemon's schema and the CLI alike. */
export const PROBE_RANGES = {
  intervalMs: { min: 100, max: 24 * 3600_000 },
  timeoutMs: { min: 10, max: 3600_000 },
  initialDelayMs: { min: 0, max: 24 * 3600_000 },
  successThreshold: { min: 1, max: 1000 },
  failureThreshold: { min: 1, max: 1000 },
} as const;

/** One check's answer. */
export interface ProbeResult {
  at: number;
  ok: boolean;
  /** What was seen or why it failed ("HTTP 200", "ECONNREFUSED 127.0.0.1:8080"). */
  detail: string;
}

/** A probe's count of results in this run. */
export interface ProbeProgress {
  checks: number;
  /** Passes and failures in a row up to the last check (one of them is 0 after the first check). */
  passes: number;
  failures: number;
  last: ProbeResult | null;
}

/**
 * What the probes found in the current run (reset when the job runs again). `ready` and
 * `unhealthySince` are durable; the progress figures change with every check and reach disk with
 * the job's next durable change, like resource samples.
 */
export interface ProbeStatus {
  /** When the readiness probe passed (successThreshold in a row) and how long after the run's start; null: not yet. */
  ready: { at: number; tookMs: number } | null;
  /** Since when the liveness probe has failed failureThreshold times in a row; null: healthy. */
  unhealthySince: number | null;
  readiness?: ProbeProgress;
  liveness?: ProbeProgress;
}

export const NO_PROBE_STATUS: ProbeStatus = { ready: null, unhealthySince: null };
