// Paused time does not count toward the stuck flag's silence or the time-sink flag's elapsed
// time: the pure clocks, and the flag rules evaluated on jobs that were paused.

import { describe, expect, it } from 'vitest';
import type { Job } from '../../../shared/job.js';
import { activeMs, clockAfterResume, silenceStart, timeoutDueAt } from '../../../daemon/jobs/pause-clock.js';
import { evaluateConditions } from '../../../daemon/monitor/flags.js';
import { DEFAULT_THRESHOLDS } from '../../../daemon/monitor/thresholds.js';
import { makeJob, pausedState, runningState, T0 } from '../../helpers/job-factory.js';

const MIN = 60_000;
const inputs = (now: number) => ({ now, sample: null, hotSamples: 0, zombies: [], totalMemoryBytes: 8 << 30, baselineMs: null });
const kinds = (job: Job, now: number) => evaluateConditions(job, inputs(now), DEFAULT_THRESHOLDS).map((c) => c.kind);

/** A job started at T0 that was silent from `lastOutputAt`, paused at `pausedAt` and resumed at `resumedAt`. */
function resumedJob(o: { lastOutputAt: number | null; pausedAt: number; resumedAt: number; stuckAfterMs?: number; expectMs?: number | null }): Job {
  const clock = clockAfterResume(pausedState({ startedAt: T0, pausedAt: o.pausedAt }), o.resumedAt, o.lastOutputAt);
  return makeJob({
    spec: { stuckAfterMs: o.stuckAfterMs ?? 0, expectMs: o.expectMs ?? null },
    output: { lastOutputAt: o.lastOutputAt },
    state: runningState({ startedAt: T0, ...clock }),
  });
}

describe('pause clock', () => {
  it('running time leaves out past pauses and the current one', () => {
    expect(activeMs(runningState({ startedAt: T0, pausedMs: 30_000 }), T0 + 50_000)).toBe(20_000);
    expect(activeMs(pausedState({ startedAt: T0, pausedAt: T0 + 10_000, pausedMs: 5000 }), T0 + 60_000)).toBe(5000);
  });

  it('a timeout is due later by the time paused, and not while paused', () => {
    expect(timeoutDueAt(runningState({ startedAt: T0, pausedMs: 7000 }), 1000)).toBe(T0 + 8000);
    expect(timeoutDueAt(runningState({ startedAt: T0 }), 1000)).toBe(T0 + 1000);
    expect(timeoutDueAt(pausedState({ startedAt: T0 }), 1000)).toBeNull();
  });

  it('output the shim stored during the pause starts the silence at the pause, not later', () => {
    const paused = pausedState({ startedAt: T0, pausedAt: T0 + 1000 });
    expect(clockAfterResume(paused, T0 + 5000, T0 + 3000)).toEqual({ pausedMs: 4000, quietSince: T0 + 5000 });
    expect(silenceStart(runningState({ startedAt: T0, quietSince: T0 + 5000 }), T0 + 6000)).toBe(T0 + 6000);
  });
});

describe('flags of a job that was paused', () => {
  it('stuck: 4 silent minutes before an hour-long pause and 2 after are 6, not 66', () => {
    const job = resumedJob({ lastOutputAt: T0, pausedAt: T0 + 4 * MIN, resumedAt: T0 + 64 * MIN, stuckAfterMs: 10 * MIN });
    expect(kinds(job, T0 + 66 * MIN)).toEqual([]);
    // ...and the silence still counts from before the pause: 4 + 6 = 10 minutes.
    expect(kinds(job, T0 + 70 * MIN)).toEqual(['stuck']);
  });

  it('time sink: an hour paused does not make a 5-minute job 13 times over its expected 5 minutes', () => {
    const job = resumedJob({ lastOutputAt: null, pausedAt: T0 + 3 * MIN, resumedAt: T0 + 63 * MIN, expectMs: 5 * MIN });
    expect(kinds(job, T0 + 65 * MIN)).toEqual([]);
    expect(kinds(job, T0 + 70 * MIN)).toEqual(['time_sink']); // 10 minutes of running: 2× the expected
  });

  it('a paused job raises no flag however long it stays paused', () => {
    const job = makeJob({ spec: { stuckAfterMs: MIN, expectMs: MIN }, state: pausedState({ startedAt: T0, pausedAt: T0 + 1000 }) });
    expect(kinds(job, T0 + 100 * MIN)).toEqual([]);
  });
});
