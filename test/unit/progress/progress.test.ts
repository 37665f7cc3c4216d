// Progress reports as pure rules: what a report may be, what it means (a percentage, or items of a
// total), when the job's progress counts as advancing (the stuck flag's clock), and which reports
// are milestones worth an event.

import { describe, expect, it } from 'vitest';
import { applyReport, progressProblem, progressText, type JobProgress, type ProgressReport } from '../../../shared/progress.js';

/** Applies reports in order, each `step` ms of active time after the last. */
function run(reports: ProgressReport[], step = 1000): { progress: JobProgress; milestones: boolean[] } {
  let progress: JobProgress | undefined;
  const milestones: boolean[] = [];
  reports.forEach((r, i) => {
    const applied = applyReport(progress, r, 'cli', 1_000_000 + (i + 1) * step, (i + 1) * step);
    progress = applied.progress;
    milestones.push(applied.milestone);
  });
  return { progress: progress!, milestones };
}

describe('progressProblem', () => {
  it.each([
    [{ done: -1, total: null }, /negative/],
    [{ done: 101, total: null }, /more than 100%.*--total/],
    [{ done: 201, total: 200 }, /more than the total 200/],
    [{ done: 1, total: 0 }, /above 0/],
    [{ done: 1, total: -5 }, /above 0/],
    [{ done: Number.NaN, total: null }, /not a number/],
    [{ done: 1, total: 1e16 }, /too large/],
    [{ done: 1, total: null, phase: 'a\nb' }, /control character/],
  ])('refuses %j', (report, why) => {
    expect(progressProblem(report)).toMatch(why);
  });

  it.each([
    { done: 0, total: null },
    { done: 100, total: null },
    { done: 67.5, total: null },
    { done: 200, total: 200 },
    { done: 0, total: 3, phase: '' },
    { done: 1, total: 3, phase: 'URL 2 of 3 — ünïcode' },
  ])('takes %j', (report) => {
    expect(progressProblem(report)).toBeNull();
  });
});

describe('applyReport', () => {
  it('reads DONE alone as a percentage and DONE with a total as items', () => {
    expect(run([{ done: 67, total: null }]).progress).toMatchObject({ percent: 67, done: 67, total: null });
    expect(run([{ done: 67, total: 200 }]).progress).toMatchObject({ percent: 33.5, done: 67, total: 200 });
    expect(progressText({ percent: 33.5, done: 67, total: 200 })).toBe('67/200 (33%)');
    expect(progressText({ percent: 67, done: 67, total: null })).toBe('67%');
  });

  it('keeps the phase until a report gives another (an empty one clears it)', () => {
    expect(run([{ done: 1, total: null, phase: 'fetch' }, { done: 2, total: null }]).progress.phase).toBe('fetch');
    expect(run([{ done: 1, total: null, phase: 'fetch' }, { done: 2, total: null, phase: '' }]).progress.phase).toBeNull();
  });

  it('advances on a higher percent or a new phase, not on the same report again', () => {
    const same = run([{ done: 40, total: null }, { done: 40, total: null }, { done: 40, total: null }]);
    expect(same.progress.advancedActiveMs).toBe(1000);
    expect(same.progress.activeMs).toBe(3000);
    expect(same.progress.reports).toBe(3);
    expect(run([{ done: 40, total: null }, { done: 41, total: null }]).progress.advancedActiveMs).toBe(2000);
    expect(run([{ done: 40, total: null }, { done: 10, total: null, phase: 'next' }]).progress.advancedActiveMs).toBe(2000);
    // Going back is not advancing.
    expect(run([{ done: 40, total: null }, { done: 30, total: null }]).progress.advancedActiveMs).toBe(1000);
  });

  it('remembers the first report of the run as the origin of the rate', () => {
    expect(run([{ done: 5, total: null }, { done: 50, total: null }]).progress.first).toEqual({ percent: 5, activeMs: 1000 });
  });

  it('announces the first report, each tenth of the way and each new phase, not every report', () => {
    const reports = [0, 3, 9, 10, 15, 19, 20, 55, 56, 100].map((done) => ({ done, total: null }));
    expect(run(reports).milestones).toEqual([true, false, false, true, false, false, true, true, false, true]);
    const phases = run([{ done: 1, total: null, phase: 'a' }, { done: 2, total: null, phase: 'a' }, { done: 3, total: null, phase: 'b' }, { done: 4, total: null }]);
    expect(phases.milestones).toEqual([true, false, true, false]);
    // Back and forth across a boundary announces it once.
    expect(run([19, 21, 19, 21].map((done) => ({ done, total: null }))).milestones).toEqual([true, true, false, false]);
  });
});
