// The stuck flag of a job that reports progress: raised when its progress stops advancing for
// stuckAfterMs of active time even while it keeps printing; a job that never reported keeps the
// output rule. Time moves only as the test says (fake clock), paused time does not count.

import { describe, expect, it } from 'vitest';
import type { Job } from '../../../shared/job.js';
import { applyReport, type JobProgress, type ProgressReport } from '../../../shared/progress.js';
import { runActiveMs } from '../../../shared/eta.js';
import { evaluateConditions, type FlagInputs } from '../../../daemon/monitor/flags.js';
import { DEFAULT_THRESHOLDS } from '../../../daemon/monitor/thresholds.js';
import { makeJob, runningState } from '../../helpers/job-factory.js';
import { FakeClock } from '../jobs/fake-clock.js';

const STUCK_AFTER = 60_000;

function inputs(now: number): FlagInputs {
  return { now, sample: null, hotSamples: 0, zombies: [], totalMemoryBytes: 8 << 30, baselineMs: null };
}

/** A running task that started at the clock's time; it prints all the time (lastOutputAt is always now). */
function chattyJob(clock: FakeClock, over: Partial<Job> = {}): Job {
  return makeJob({ spec: { stuckAfterMs: STUCK_AFTER }, state: runningState({ startedAt: clock.now() }), output: { lastOutputAt: clock.now() }, ...over });
}

function reported(job: Job, clock: FakeClock, report: ProgressReport): Job {
  if (job.state.kind !== 'running') throw new Error('not running');
  const { progress } = applyReport(job.progress, report, 'marker', clock.now(), runActiveMs(job.state, clock.now()));
  return { ...job, progress, output: { ...job.output, lastOutputAt: clock.now() } };
}

const stuckOf = (job: Job, clock: FakeClock) => evaluateConditions({ ...job, output: { ...job.output, lastOutputAt: clock.now() } }, inputs(clock.now()), DEFAULT_THRESHOLDS).find((c) => c.kind === 'stuck');

describe('stuck when progress stalls', () => {
  it('is raised after stuckAfterMs without an advance although the job keeps printing, and cleared by an advance', () => {
    const clock = new FakeClock();
    let job = reported(chattyJob(clock), clock, { done: 67, total: null, phase: 'URL 2 of 3' });
    for (let i = 0; i < 5; i++) {
      clock.advance(10_000);
      job = reported(job, clock, { done: 67, total: null }); // the same progress, reported again
    }
    expect(stuckOf(job, clock)).toBeUndefined(); // 50 s: not yet
    clock.advance(10_000);
    const stuck = stuckOf(job, clock);
    expect(stuck?.detail).toBe('progress stalled at 67% (URL 2 of 3) for 1m00s (stuck after 1m00s)');
    expect(stuck?.data).toMatchObject({ stalledMs: 60_000, stuckAfterMs: STUCK_AFTER, percent: 67, phase: 'URL 2 of 3' });
    job = reported(job, clock, { done: 68, total: null });
    expect(stuckOf(job, clock)).toBeUndefined();
  });

  it('does not count paused time', () => {
    const clock = new FakeClock();
    const job = reported(chattyJob(clock), clock, { done: 10, total: null });
    clock.advance(90_000);
    const wasPaused: Job = { ...job, state: { ...(job.state as Extract<Job['state'], { kind: 'running' }>), pausedMs: 60_000 } };
    expect(stuckOf(wasPaused, clock)).toBeUndefined(); // 30 s active
    expect(stuckOf(job, clock)).toBeDefined(); // 90 s active
  });

  it('a job that never reported progress keeps the output rule', () => {
    const clock = new FakeClock();
    const quiet = makeJob({ spec: { stuckAfterMs: STUCK_AFTER }, state: runningState({ startedAt: clock.now() }), output: { lastOutputAt: clock.now() } });
    clock.advance(61_000);
    const flags = evaluateConditions(quiet, inputs(clock.now()), DEFAULT_THRESHOLDS);
    expect(flags.find((c) => c.kind === 'stuck')?.detail).toMatch(/^no output for 1m01s/);
  });

  it('a job whose progress advances is not stuck even when silent for longer than the threshold', () => {
    const clock = new FakeClock();
    const started = clock.now();
    let job: Job = makeJob({ spec: { stuckAfterMs: STUCK_AFTER }, state: runningState({ startedAt: started }), output: { lastOutputAt: null } });
    for (let pct = 10; pct <= 50; pct += 10) {
      clock.advance(30_000);
      const { progress }: { progress: JobProgress } = applyReport(job.progress, { done: pct, total: null }, 'cli', clock.now(), clock.now() - started);
      job = { ...job, progress };
    }
    expect(evaluateConditions(job, inputs(clock.now()), DEFAULT_THRESHOLDS).find((c) => c.kind === 'stuck')).toBeUndefined();
  });

  it('no progress flag for a job with the stuck flag off', () => {
    const clock = new FakeClock();
    const job = reported(chattyJob(clock, { spec: { ...chattyJob(clock).spec, stuckAfterMs: 0 } }), clock, { done: 5, total: null });
    clock.advance(10 * STUCK_AFTER);
    expect(stuckOf(job, clock)).toBeUndefined();
  });
});
