// The ETA as a pure function: from the progress rate (since the first report, or since the run's
// start with one report), from a learned baseline, and both blended; a stall makes it grow.

import { describe, expect, it } from 'vitest';
import { estimateEta, etaOf } from '../../../shared/eta.js';
import { makeJob, runningState, completedState } from '../../helpers/job-factory.js';
import type { JobProgress } from '../../../shared/progress.js';

const p = (percent: number, activeMs: number, first = { percent, activeMs }): Pick<JobProgress, 'percent' | 'activeMs' | 'first'> => ({ percent, activeMs, first });

describe('estimateEta', () => {
  it('from the rate since the first report: 20% → 60% in 40 s leaves 40 s', () => {
    expect(estimateEta({ progress: p(60, 50_000, { percent: 20, activeMs: 10_000 }), activeMs: 50_000, baseline: null })).toEqual({ leftMs: 40_000, basis: 'progress' });
    // Counting down between reports.
    expect(estimateEta({ progress: p(60, 50_000, { percent: 20, activeMs: 10_000 }), activeMs: 60_000, baseline: null })).toEqual({ leftMs: 30_000, basis: 'progress' });
  });

  it('with one report, from the start of the run at 0%', () => {
    expect(estimateEta({ progress: p(25, 10_000), activeMs: 10_000, baseline: null })).toEqual({ leftMs: 30_000, basis: 'progress' });
  });

  it('grows while progress stalls past the projected end instead of staying at 0', () => {
    const stalled = (now: number) => estimateEta({ progress: p(50, 10_000), activeMs: now, baseline: null })!.leftMs;
    expect(stalled(20_000)).toBe(20_000); // the projected end (20 s) has come: the rate up to now, 50% in 20 s
    expect(stalled(40_000)).toBe(40_000);
    expect(stalled(40_000)).toBeGreaterThan(stalled(30_000));
  });

  it('is 0 at 100% and unknown without any rate or history', () => {
    expect(estimateEta({ progress: p(100, 5000), activeMs: 6000, baseline: null })).toEqual({ leftMs: 0, basis: 'progress' });
    expect(estimateEta({ progress: p(0, 5000), activeMs: 6000, baseline: null })).toBeNull();
    expect(estimateEta({ progress: null, activeMs: 6000, baseline: null })).toBeNull();
  });

  it('from history alone: the median minus the time run, then the p90, then nothing', () => {
    const baseline = { medianMs: 60_000, p90Ms: 90_000 };
    expect(estimateEta({ progress: null, activeMs: 20_000, baseline })).toEqual({ leftMs: 40_000, basis: 'history' });
    expect(estimateEta({ progress: null, activeMs: 70_000, baseline })).toEqual({ leftMs: 20_000, basis: 'history' });
    expect(estimateEta({ progress: null, activeMs: 95_000, baseline })).toBeNull();
  });

  it('blends rate and history by how far the job is', () => {
    const baseline = { medianMs: 100_000, p90Ms: 120_000 };
    // 20% after 10 s: the rate says 40 s left, history says 80% of 100 s = 80 s; weight 0.2 on the rate.
    expect(estimateEta({ progress: p(20, 10_000), activeMs: 10_000, baseline })).toEqual({ leftMs: 72_000, basis: 'progress+history' });
  });
});

describe('etaOf', () => {
  const progress: JobProgress = { percent: 50, done: 50, total: null, phase: null, source: 'cli', updatedAt: 0, activeMs: 10_000, advancedActiveMs: 10_000, first: { percent: 50, activeMs: 10_000 }, reports: 1, milestone: { decile: 5, phase: null } };

  it('leaves paused time out of the run clock', () => {
    const paused = makeJob({ state: runningState({ startedAt: 0, pausedMs: 5000 }), progress });
    expect(etaOf(paused, 15_000, null)).toEqual({ leftMs: 10_000, basis: 'progress' });
  });

  it('gives a service no ETA from history, only from its own reports; an ended job none', () => {
    const baseline = { signature: 's', runs: 3, medianMs: 60_000, p90Ms: 70_000 };
    expect(etaOf(makeJob({ spec: { kind: 'service' }, state: runningState({ startedAt: 0 }) }), 10_000, baseline)).toBeNull();
    expect(etaOf(makeJob({ state: runningState({ startedAt: 0 }) }), 10_000, baseline)).toEqual({ leftMs: 50_000, basis: 'history' });
    expect(etaOf(makeJob({ state: completedState(), progress }), 10_000, baseline)).toBeNull();
  });
});
