// The series behind `procd trends`: a pure function of the finished runs (the history), the live
// jobs and the clock. A live job counts as a run that is still going (its figures so far); a job
// that ended is in the history, so the table's finished jobs are not read twice.

import { formatDuration } from '../../shared/duration.js';
import { hasLiveProcess, type Job } from '../../shared/job.js';
import type { TrendBucket, TrendsResult } from '../../shared/trends.js';
import { MAX_TREND_BUCKETS } from '../../shared/trends.js';
import { isFailureState } from './input.js';
import { runTable, type RunTable, type Runs } from './runs.js';
import { percentiles } from './select.js';

/** What a bucket needs of a run, finished or live. */
interface RunSpan {
  startedAt: number;
  /** null: still running. */
  endedAt: number | null;
  durationMs: number | null;
  failed: boolean;
  cpuAvg: number | null;
  rssAvg: number | null;
  timeSink: boolean;
  stuck: boolean;
  restart: boolean;
}

export class TrendsRangeError extends Error {}

/**
 * Buckets of `bucketMs` from `since` (rounded down to a bucket boundary) up to `now`. Throws
 * TrendsRangeError when that makes more than MAX_TREND_BUCKETS buckets.
 */
export function trendsOf(input: { now: number; since: number; bucketMs: number; runs: Runs; jobs: Iterable<Job> }): TrendsResult {
  const { now, bucketMs } = input;
  const since = firstBucketStart(input.since, bucketMs);
  const count = Math.max(1, Math.ceil((now - since) / bucketMs));
  if (count > MAX_TREND_BUCKETS) throw new TrendsRangeError(`${count} buckets of ${formatDuration(bucketMs)} since ${new Date(input.since).toISOString()}: at most ${MAX_TREND_BUCKETS}; ask for a larger bucket or a shorter period`);
  const acc = Array.from({ length: count }, () => ({ started: 0, durations: [] as number[], failures: 0, cpu: [] as number[], rss: [] as number[], timeSinks: 0, stuck: 0, restarts: 0 }));
  const bucketOf = (t: number) => Math.floor((t - since) / bucketMs);
  // The history's runs are read in place from its columns (a RunTable), not built as objects.
  const runs = runTable(input.runs);
  const spans = [...Array.from({ length: runs.length }, (_, i) => spanOfRun(runs, i)), ...[...input.jobs].flatMap((j) => spanOfLiveJob(j, now) ?? [])];
  for (const s of spans) {
    const end = s.endedAt ?? now;
    if (end < since || s.startedAt > now) continue;
    const first = Math.max(0, bucketOf(s.startedAt));
    const last = Math.min(count - 1, bucketOf(end));
    const startBucket = bucketOf(s.startedAt);
    if (startBucket >= 0 && startBucket < count) {
      acc[startBucket]!.started++;
      if (s.restart) acc[startBucket]!.restarts++;
    }
    if (s.endedAt !== null && bucketOf(s.endedAt) >= 0 && bucketOf(s.endedAt) < count) {
      const b = acc[bucketOf(s.endedAt)]!;
      if (s.durationMs !== null) b.durations.push(s.durationMs);
      if (s.failed) b.failures++;
    }
    for (let i = first; i <= last; i++) {
      const b = acc[i]!;
      if (s.cpuAvg !== null) b.cpu.push(s.cpuAvg);
      if (s.rssAvg !== null) b.rss.push(s.rssAvg);
      if (s.timeSink) b.timeSinks++;
      if (s.stuck) b.stuck++;
    }
  }
  const buckets = acc.map((b, i): TrendBucket => ({
    start: since + i * bucketMs,
    started: b.started,
    ended: b.durations.length,
    failures: b.failures,
    failureRate: b.durations.length ? b.failures / b.durations.length : null,
    avgDurationMs: mean(b.durations),
    p95DurationMs: percentiles(b.durations, [0.95])[0]!,
    avgCpuPercent: mean(b.cpu),
    avgRssBytes: mean(b.rss),
    timeSinks: b.timeSinks,
    stuck: b.stuck,
    restarts: b.restarts,
  }));
  return { since, until: now, bucketMs, buckets };
}

/** Where the series begins: `since` rounded down to a bucket boundary (read the history from there). */
export function firstBucketStart(since: number, bucketMs: number): number {
  return Math.floor(since / bucketMs) * bucketMs;
}

function spanOfRun(runs: RunTable, i: number): RunSpan {
  const flags = runs.flags(i);
  return {
    startedAt: runs.startedAt(i),
    endedAt: runs.endedAt(i),
    durationMs: runs.durationMs(i),
    failed: isFailureState(runs.state(i)),
    cpuAvg: runs.cpuAvg(i),
    rssAvg: runs.rssAvg(i),
    timeSink: flags.includes('time_sink'),
    stuck: flags.includes('stuck'),
    restart: runs.run(i) > 1,
  };
}

/** A job with a live process, as a run still going; null for any other job (the history has the ended ones). */
function spanOfLiveJob(job: Job, now: number): RunSpan | null {
  if (!hasLiveProcess(job.state)) return null;
  const { startedAt } = job.state;
  const raisedInRun = (kind: string) => [...job.flags, ...job.flagHistory].some((f) => f.kind === kind && f.raisedAt >= startedAt);
  return {
    startedAt: Math.min(startedAt, now),
    endedAt: null,
    durationMs: null,
    failed: false,
    cpuAvg: job.resources?.cpuSamples ? job.resources.cpuAvg : null,
    rssAvg: job.resources?.samples ? job.resources.rssAvg : null,
    timeSink: raisedInRun('time_sink'),
    stuck: raisedInRun('stuck'),
    restart: (job.runs?.current ?? 1) > 1,
  };
}

function mean(xs: readonly number[]): number | null {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
}
