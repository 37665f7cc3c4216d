// Restart policies and runs (issue 11), as both sides see them: what a job's spec asks for, what
// the daemon remembers between runs, and the record each ended run leaves. The decision itself is
// a pure function in daemon/jobs/restart-policy.ts.

import type { SignalInfo, TerminalState } from './job.js';
import type { OutcomeKind } from './outcomes.js';

export const RESTART_POLICIES = ['no', 'on-failure', 'always', 'unless-stopped'] as const;
export type RestartPolicy = (typeof RESTART_POLICIES)[number];

export interface RestartSpec {
  policy: RestartPolicy;
  /** The first delay; each quick failure multiplies it by `factor`, up to `maxDelayMs`. */
  delayMs: number;
  factor: number;
  maxDelayMs: number;
  /** ± this fraction of each delay, so jobs that failed together do not restart together. */
  jitter: number;
  /** A run that stayed up this long resets the backoff to `delayMs`. */
  stableMs: number;
  /** At most this many restarts within `windowMs` (null: unlimited); then the policy gives up. */
  maxRestarts: number | null;
  windowMs: number;
}

/** Defaults: 1 s ×2 up to 60 s, ±10%, stable after 30 s; `on-failure` gives up after 10 restarts in 10 min. */
export function defaultRestartSpec(policy: RestartPolicy): RestartSpec {
  const bounded = policy === 'on-failure';
  return { policy, delayMs: 1000, factor: 2, maxDelayMs: 60_000, jitter: 0.1, stableMs: 30_000, maxRestarts: bounded ? 10 : null, windowMs: 10 * 60_000 };
}

/** Policies that mean "keep it up": they make a job a service unless the caller said task. */
export function keepsUp(policy: RestartPolicy): boolean {
  return policy === 'always' || policy === 'unless-stopped';
}

/** What the policy remembers between runs. */
export interface RestartHistory {
  /** When each restart within the window was decided. */
  restartTimes: number[];
  /** Quick failures in a row: the exponent of the backoff. */
  quickFailures: number;
}

/** One ended run of a job (the current run is the job's state). */
export interface RunRecord {
  /** 1 for the first run. */
  run: number;
  state: TerminalState['kind'];
  outcome: OutcomeKind;
  outcomeDetail: string | null;
  exitCode: number | null;
  signal: SignalInfo | null;
  startedAt: number;
  endedAt: number;
  durationMs: number;
  pid: number | null;
  /** Where this run's output and exit status are. */
  dir: string;
  /** What came next: `restart` (by its policy, or `procd restart`, `resurrect` after a reboot). */
  then: 'restart' | 'manual_restart' | 'resurrect';
  /** Its output was removed: only the last KEEP_RUN_OUTPUT runs keep theirs (absent: kept). */
  outputRemoved?: boolean;
}

/** A job's runs beyond its first: the current run's number, the earlier ones, and the policy's memory. */
export interface RunsInfo {
  /** The current (or last) run's number; 1 for the first. */
  current: number;
  /** Restarts so far (by the policy, by `procd restart`, after a reboot). */
  restarts: number;
  /** Earlier runs, oldest first; at most MAX_RUN_RECORDS (the oldest are dropped). */
  earlier: RunRecord[];
  history: RestartHistory;
}

export const MAX_RUN_RECORDS = 100;
/** Output of at most this many earlier runs is kept on disk (older run directories are removed). */
export const KEEP_RUN_OUTPUT = 20;
