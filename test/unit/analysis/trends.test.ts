import { describe, expect, it } from 'vitest';
import { trendsOf, TrendsRangeError } from '../../../daemon/analysis/trends.js';
import type { HistoryRun } from '../../../shared/history.js';
import { makeRun } from '../../helpers/history-runs.js';
import { makeJob, runningState } from '../../helpers/job-factory.js';

const MIN = 60_000;
const T = 1_800_000_000_000; // a bucket boundary for 5-minute buckets

/** A finished run from `startedAt` to `endedAt` (a completed run unless said otherwise). */
const run = (over: Partial<HistoryRun> & { startedAt: number; endedAt: number }): HistoryRun => makeRun({ durationMs: over.endedAt - over.startedAt, ...over });

describe('trendsOf', () => {
  it('counts starts, ends, failures, durations, restarts and flags per bucket', () => {
    const runs = [
      run({ startedAt: T + 1 * MIN, endedAt: T + 2 * MIN }),
      run({ startedAt: T + 2 * MIN, endedAt: T + 3 * MIN, state: 'failed', exitCode: 1 }),
      run({ startedAt: T + 3 * MIN, endedAt: T + 6 * MIN, run: 2, restarts: 1, flags: ['time_sink'], cpuAvg: 50, rssAvg: 100 }),
      run({ startedAt: T + 6 * MIN, endedAt: T + 7 * MIN, state: 'killed', outcome: 'signal', exitCode: 143, signal: 'SIGTERM' }),
    ];
    const r = trendsOf({ now: T + 10 * MIN, since: T, bucketMs: 5 * MIN, runs, jobs: [] });
    expect(r.buckets.map((b) => b.start)).toEqual([T, T + 5 * MIN]);
    expect(r.buckets[0]).toEqual({
      start: T, started: 3, ended: 2, failures: 1, failureRate: 0.5, avgDurationMs: MIN, p95DurationMs: MIN,
      avgCpuPercent: 50, avgRssBytes: 100, timeSinks: 1, stuck: 0, restarts: 1,
    });
    // The third run ends in the second bucket (its 3 minutes there) and is running in both; a user's kill is not a failure.
    expect(r.buckets[1]).toMatchObject({ started: 1, ended: 2, failures: 0, failureRate: 0, avgDurationMs: 2 * MIN, p95DurationMs: 3 * MIN, timeSinks: 1, restarts: 0 });
  });

  it('counts a live job as a run still going, with its figures so far and flags raised in this run', () => {
    const job = makeJob({
      id: 7,
      state: runningState({ startedAt: T + 7 * MIN }),
      resources: { samples: 3, cpuSamples: 2, cpuPeak: 90, cpuAvg: 80, rssAvg: 2048, rssPeak: 4096, processesPeak: 1, last: null },
      flags: [{ kind: 'stuck', raisedAt: T + 8 * MIN, detail: '', severity: 'medium', pids: [], data: {} }],
      flagHistory: [{ kind: 'time_sink', raisedAt: T, clearedAt: T + MIN, detail: '', severity: 'medium', pids: [], data: {} }],
    });
    const r = trendsOf({ now: T + 10 * MIN, since: T, bucketMs: 5 * MIN, runs: [], jobs: [job] });
    expect(r.buckets[0]).toMatchObject({ started: 0, avgCpuPercent: null, stuck: 0 });
    // The time_sink flag was raised before this run began: not counted.
    expect(r.buckets[1]).toMatchObject({ started: 1, ended: 0, failureRate: null, avgDurationMs: null, avgCpuPercent: 80, avgRssBytes: 2048, stuck: 1, timeSinks: 0 });
  });

  it('leaves out runs outside the period, rounds `since` down to a bucket, and refuses too many buckets', () => {
    const old = run({ startedAt: T - 60 * MIN, endedAt: T - 50 * MIN });
    const r = trendsOf({ now: T + 4 * MIN, since: T + 2 * MIN, bucketMs: 5 * MIN, runs: [old], jobs: [] });
    expect(r.since).toBe(T);
    expect(r.buckets).toHaveLength(1);
    expect(r.buckets[0]).toMatchObject({ started: 0, ended: 0 });
    expect(() => trendsOf({ now: T + 24 * 60 * MIN, since: T, bucketMs: 1000, runs: [], jobs: [] })).toThrow(TrendsRangeError);
  });
});

describe('the trends handler', () => {
  it('reads the history from the first bucket’s start, so the first bucket is whole', async () => {
    const { trends } = await import('../../../daemon/handlers/trends.js');
    const asked: number[] = [];
    const ctx = { history: { runTableSince: (since: number) => (asked.push(since), []) }, table: { all: () => [][Symbol.iterator]() } };
    const r = trends(ctx as unknown as Parameters<typeof trends>[0], { sinceMs: 3_600_000, bucketMs: 1_800_000 });
    expect(asked).toEqual([r.since]);
    expect(r.since % 1_800_000).toBe(0);
    expect(r.since).toBeLessThanOrEqual(Date.now() - 3_600_000);
  });
});
