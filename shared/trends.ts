// `procd trends` (issue 14): what happened per time bucket, from the history of finished runs and
// the live jobs. The series is computed in the daemon (daemon/analysis/trends.ts) and drawn by the
// CLI (client/cli/commands/trends.ts).

/** One bucket: [start, start + bucketMs). Figures over nothing are null, never 0. */
export interface TrendBucket {
  start: number;
  /** Runs that started in the bucket (finished ones from the history, and live jobs). */
  started: number;
  /** Runs that ended in the bucket. */
  ended: number;
  /** Of those, the ones that failed: `failed` or `timed_out`, as analyze counts them (daemon/analysis/input.ts isFailedRun: a job stopped by a user, or lost, is not). */
  failures: number;
  /** failures / ended; null when nothing ended. */
  failureRate: number | null;
  /** Mean and 95th percentile duration of the runs that ended in the bucket (ms). */
  avgDurationMs: number | null;
  p95DurationMs: number | null;
  /** Mean CPU % (of one core) and RSS of the runs that were running during the bucket (each run's own average). */
  avgCpuPercent: number | null;
  avgRssBytes: number | null;
  /** Runs running during the bucket that were time sinks / stuck at some point of their run. */
  timeSinks: number;
  stuck: number;
  /** Runs that started in the bucket as a restart (run 2 or later). */
  restarts: number;
}

export interface TrendsResult {
  since: number;
  until: number;
  bucketMs: number;
  buckets: TrendBucket[];
}

/** A series longer than this is refused: ask for a larger bucket. */
export const MAX_TREND_BUCKETS = 1000;
