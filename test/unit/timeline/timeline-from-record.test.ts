import { describe, expect, it } from 'vitest';
import { timelineFromRecord } from '../../../daemon/timeline/timeline-from-record.js';
import { killedState, killRecord, makeJob, pausedState } from '../../helpers/job-factory.js';

describe('timeline from a record (a job from before timelines were kept)', () => {
  it('rebuilds created, started, flags, limits, the stop and the end, in time order', () => {
    const job = makeJob({
      createdAt: 900,
      state: killedState({ startedAt: 1000, endedAt: 9000, durationMs: 8000, pid: 41, kill: killRecord({ reason: 'timeout', requestedAt: 8000 }) }),
      flags: [],
      flagHistory: [{ kind: 'stuck', raisedAt: 3000, clearedAt: 8500, detail: 'no output for 61s', severity: 'medium', pids: [], data: {} }],
      violations: [{ limit: 'memory', value: 600 << 20, max: 512 << 20, at: 5000, action: 'warn' }],
    });
    const t = timelineFromRecord(job);
    expect(t.map((e) => [e.at, e.kind])).toEqual([
      [900, 'request'],
      [1000, 'started'],
      [3000, 'flag.raised'],
      [5000, 'limit'],
      [8000, 'stopping'],
      [8500, 'flag.cleared'],
      [9000, 'ended'],
    ]);
    expect(t.find((e) => e.kind === 'stopping')).toMatchObject({ by: 'procd', detail: 'stopped by procd: timeout: SIGTERM' });
    expect(t.at(-1)?.detail).toBe('killed by SIGTERM after 8.0s (outcome signal)');
  });

  it('shows earlier runs and a paused job as it is', () => {
    const earlier = { run: 1, state: 'failed' as const, outcome: 'exit' as const, outcomeDetail: null, exitCode: 1, signal: null, startedAt: 1000, endedAt: 2000, durationMs: 1000, pid: 40, dir: '/j/1', then: 'restart' as const };
    const job = makeJob({ createdAt: 900, state: pausedState({ startedAt: 3000, pausedAt: 4000, pid: 42 }), runs: { current: 2, restarts: 1, earlier: [earlier], history: { restartTimes: [2000], quickFailures: 1 } } });
    expect(timelineFromRecord(job).map((e) => `${e.run}:${e.kind}`)).toEqual(['1:request', '1:started', '1:ended', '2:started', '2:paused']);
  });
});
