// What `procd analyze` answers (issue 14): the report the analysers (daemon/analysis/) compute from
// the live jobs and the history of finished runs. Types and constants only (the CLI loads this);
// the valibot schema is in schemas/analyze.ts and a compile-time check keeps the two equal.

import type { FlagKind, JobStateKind } from './job.js';

export type Priority = 'high' | 'medium' | 'low';

/** A job or run a finding is about: what a person needs to find it again. */
export interface JobRef {
  jobId: number;
  name: string;
  /** Its run number when the finding is about one finished run; null: the job as it is now. */
  run: number | null;
}

/** Running much longer than expected: elapsed / expected ≥ the time-sink factor (2× medium, 3× high). */
export interface TimeSink extends JobRef {
  /** true: still running (elapsed so far, paused time left out); false: a finished run within the period. */
  live: boolean;
  command: string;
  elapsedMs: number;
  expectedMs: number;
  ratio: number;
  /** `given`: its --expect; `learned`: the median of its command's successful runs. */
  source: 'given' | 'learned';
  severity: 'medium' | 'high';
}

/** A job whose CPU share fell while a bottleneck ran (see BOTTLENECK_SLOWED in daemon/analysis/bottlenecks.ts). */
export interface SlowedJob {
  jobId: number;
  name: string;
  /** Its average CPU over the run so far and its latest reading (% of one core). */
  cpuAvg: number;
  cpuNow: number;
}

/** A queued job waiting for what the bottleneck holds: a slot of its group, or resource admission. */
export interface WaitingJob {
  jobId: number;
  name: string;
  group: string;
  waitsFor: 'slot' | 'resources';
  detail: string;
}

export interface Bottleneck extends JobRef {
  command: string;
  cpuPercent: number | null;
  rssBytes: number;
  /** rssBytes / the machine's memory. */
  memoryShare: number;
  /** What it is over: `cpu`, `memory` (share of the machine), `max-cpu`, `max-rss` (the daemon's absolute thresholds). */
  over: string[];
  /** When the monitor raised its bottleneck flag; null: over a threshold in its latest sample but not flagged (yet). */
  flaggedAt: number | null;
  severity: 'medium' | 'high';
  holdsUp: { queued: WaitingJob[]; slowed: SlowedJob[] };
}

export interface Stuck extends JobRef {
  command: string;
  /** How long it has been silent, or (with `progressStalledAt`) how long its progress has not advanced. */
  silentMs: number;
  /** It reports progress, and that progress stalled here (`40% (fetch)`): it is judged by progress, not silence. */
  progressStalledAt?: string;
  stuckAfterMs: number;
  lastOutputAt: number | null;
  /** The last line it wrote (either stream), when it could be read cheaply; null: none or not read (`lastLineNote` says which). */
  lastLine: string | null;
  lastLineNote: string | null;
}

export interface CountOf<K extends string | number> {
  value: K;
  count: number;
}

export interface Trend {
  /** Runs the fit is over (successful runs of the signature within the period, oldest first). */
  runs: number;
  /** Least-squares slope of duration over run index, in ms per run. */
  slopeMsPerRun: number;
  /** The slope relative to the mean duration (0.05: 5% of the mean per run). */
  relativeSlope: number;
  /** slope / its standard error: how far from noise it is. */
  tScore: number;
  direction: 'slower' | 'faster' | 'flat';
}

export interface RunStats {
  runs: number;
  /** Runs that ended failed or timed_out (a run you killed is not a failure). */
  failures: number;
  failureRate: number;
  avgMs: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
  /** Most common exit codes and signals of the runs that did not succeed, most frequent first (≤ 5). */
  exitCodes: CountOf<number>[];
  signals: CountOf<string>[];
  restarts: number;
}

export interface SignaturePattern extends RunStats {
  signature: string;
  command: string;
  cwd: string;
  /** The name and id of its latest run's job. */
  name: string;
  lastJobId: number;
  trend: Trend | null;
  /** Alternating pass/fail: how often consecutive runs differ (flips / (runs - 1)). */
  flipRate: number;
  flaky: boolean;
}

export interface CommonError {
  signature: string;
  detail: string | null;
  count: number;
  example: string;
  /** The latest runs it was found in (≤ 10), newest first. */
  runs: JobRef[];
  /** The command signatures it came from (≤ 5), most frequent first. */
  commands: string[];
  lastAt: number;
}

export interface Duplicate {
  signature: string;
  command: string;
  /**
   * Live jobs running the same command in the same directory: the one to keep (the oldest the user
   * named, else the oldest), then the unnamed ones beside it, oldest first. Jobs the user gave
   * different names are meant to run side by side and are not listed.
   */
  jobs: JobRef[];
}

/** A command that ran twice at the same time within the period (finished runs, from the history). */
export interface Overlap {
  signature: string;
  command: string;
  cwd: string;
  /** A name to start it under: its default name (daemon/analysis/names.ts), never one a job of another command had or the user chose. */
  name: string;
  /** How many of its runs overlapped another job's run of it that ended before them (each run counted once). */
  times: number;
  /** The latest such pair: the run that was running, then the one started beside it. */
  latest: JobRef[];
  /** When the later one of that pair started. */
  at: number;
}

/**
 * A run that failed with EADDRINUSE while another job of the same command or directory, or one
 * listening on that port, was running; or (with `claim`) a live job that wants a port another live
 * job listens on or wants first.
 */
export interface PortConflict extends JobRef {
  port: string | null;
  at: number;
  /** The jobs that were running then (≤ 5), or the live job holding the port; `live`: still running now. */
  holders: (JobRef & { live: boolean })[];
  /** How this live job wants the port: it declares it (PORT=, a probe on it) or listens on it too. Absent: its run failed with EADDRINUSE. */
  claim?: 'declared' | 'listening';
  /** The port's protocol, known for a live claim; absent for an EADDRINUSE failure (the output does not say). */
  protocol?: 'tcp' | 'udp';
}


/** A leftovers or zombie flag raised within the period (from the jobs' flags and flag history). */
export interface ProcessProblem extends JobRef {
  kind: Extract<FlagKind, 'leftovers' | 'zombie'>;
  pids: number[];
  detail: string;
  raisedAt: number;
  /** null: still raised now. */
  clearedAt: number | null;
}

export interface Recommendation {
  priority: Priority;
  /** One line: what to do and why. */
  reason: string;
  /** The jobs it is about and the figures behind it (all also in this report). */
  evidence: { jobIds: number[]; figures: Record<string, number | string> };
  /** The exact procd command that acts on it. */
  command: string;
}

export interface AnalyzeReport {
  generatedAt: number;
  /** The period's start (ms since epoch): finished runs that ended at or after it are read. */
  since: number;
  headline: {
    liveJobs: number;
    runs: number;
    failures: number;
    timeSinks: number;
    bottlenecks: number;
    stuck: number;
    errors: number;
    duplicates: number;
    overlaps: number;
    portConflicts: number;
    leftovers: number;
    zombies: number;
    recommendations: Record<Priority, number>;
  };
  timeSinks: TimeSink[];
  bottlenecks: Bottleneck[];
  stuck: Stuck[];
  patterns: { overall: RunStats; bySignature: SignaturePattern[] };
  commonErrors: CommonError[];
  duplicates: Duplicate[];
  overlaps: Overlap[];
  portConflicts: PortConflict[];
  leftovers: ProcessProblem[];
  zombies: ProcessProblem[];
  recommendations: Recommendation[];
  /** Items each list leaves out (REPORT_LIMITS); the headline counts them all. */
  omitted: Record<ReportList, number>;
}

/** How many items each list of the report keeps, most important first: the answer stays small whatever the history holds. */
export const REPORT_LIMITS = {
  timeSinks: 100,
  bottlenecks: 50,
  stuck: 100,
  bySignature: 200,
  commonErrors: 100,
  duplicates: 50,
  overlaps: 50,
  portConflicts: 50,
  leftovers: 50,
  zombies: 50,
  recommendations: 50,
} as const;
export type ReportList = keyof typeof REPORT_LIMITS;

/** `procd stats`: counts now, and totals over the whole kept history. */
export interface StatsReport {
  uptimeMs: number;
  startedAt: number;
  states: Record<JobStateKind, number>;
  /** Flags raised now, per kind (every kind present). */
  flags: Record<FlagKind, number>;
  history: { runs: number; failures: number; failureRate: number; restarts: number; oldestAt: number | null };
}

/** `analyze` without `since` reads the last 24 hours. */
export const ANALYZE_DEFAULT_SINCE_MS = 24 * 3_600_000;
