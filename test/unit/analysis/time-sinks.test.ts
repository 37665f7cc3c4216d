import { describe, expect, it } from 'vitest';
import { timeSinks } from '../../../daemon/analysis/time-sinks.js';
import { makeJob, runningState, pausedState } from '../../helpers/job-factory.js';
import { makeRun } from '../../helpers/history-runs.js';
import { analysisInput, NOW } from './input.js';

describe('timeSinks', () => {
  it('a running job at 3.1× its --expect is a high time sink from the given expectation', () => {
    const job = makeJob({ id: 4, state: runningState({ startedAt: NOW - 3100 }), spec: { expectMs: 1000 } });
    expect(timeSinks(analysisInput({ jobs: [job] }))).toEqual([
      { jobId: 4, name: 'j4', run: null, live: true, command: 'true', elapsedMs: 3100, expectedMs: 1000, ratio: 3.1, source: 'given', severity: 'high' },
    ]);
  });

  it('2× is medium, under 2× is nothing; paused time does not count', () => {
    const medium = makeJob({ id: 1, state: runningState({ startedAt: NOW - 2500 }), spec: { expectMs: 1000 } });
    const fine = makeJob({ id: 2, state: runningState({ startedAt: NOW - 1900 }), spec: { expectMs: 1000 } });
    const paused = makeJob({ id: 3, state: pausedState({ startedAt: NOW - 10_000, pausedAt: NOW - 9_500 }), spec: { expectMs: 1000 } });
    expect(timeSinks(analysisInput({ jobs: [medium, fine, paused] })).map((t) => [t.jobId, t.severity])).toEqual([[1, 'medium']]);
  });

  it('a task without --expect is judged against the learned median of its command', () => {
    const history = [1000, 1100, 900].map((durationMs) => makeRun({ durationMs, signature: '["make"]@/', command: 'make', cwd: '/' }));
    const job = makeJob({ id: 9, state: runningState({ startedAt: NOW - 4000 }), spec: { command: { kind: 'argv', argv: ['make'] }, cwd: '/' } });
    const [t] = timeSinks(analysisInput({ jobs: [job], baselineRuns: history }));
    expect(t).toMatchObject({ jobId: 9, expectedMs: 1000, ratio: 4, source: 'learned', severity: 'high' });
  });

  it('a service is judged only against a given --expect', () => {
    const history = [1000, 1000, 1000].map((durationMs) => makeRun({ durationMs, signature: '["srv"]@/', cwd: '/' }));
    const svc = makeJob({ id: 2, state: runningState({ startedAt: NOW - 60_000 }), spec: { kind: 'service', command: { kind: 'argv', argv: ['srv'] }, cwd: '/' } });
    expect(timeSinks(analysisInput({ jobs: [svc], baselineRuns: history }))).toEqual([]);
  });

  it('finished runs in the period: against their job\'s --expect or the learned median; live ones first', () => {
    const runs = [
      ...[1000, 1000, 1000, 1000].map((durationMs) => makeRun({ durationMs })),
      makeRun({ jobId: 50, run: 2, durationMs: 2500 }),
    ];
    const live = makeJob({ id: 60, state: runningState({ startedAt: NOW - 2200 }), spec: { expectMs: 1000 } });
    const found = timeSinks(analysisInput({ jobs: [live], runs }));
    expect(found.map((t) => [t.jobId, t.run, t.live, t.source, t.ratio])).toEqual([
      [60, null, true, 'given', 2.2],
      [50, 2, false, 'learned', 2.5],
    ]);
  });
});
