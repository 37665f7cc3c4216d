// What pause and resume do to a job in each state, and which processes of a paused job still run.

import { describe, expect, it } from 'vitest';
import type { JobState } from '../../../shared/job.js';
import { notStopped, pauseStep } from '../../../daemon/jobs/pause-plan.js';
import type { ProcInfo } from '../../../daemon/proc/process-table.js';
import { completedState, pausedState, queuedState, runningState, startingState } from '../../helpers/job-factory.js';

describe('pauseStep', () => {
  it('acts on a running job (pause) and a paused one (resume); the other way round is already done', () => {
    expect(pauseStep(runningState(), 'pause', false)).toEqual({ kind: 'act' });
    expect(pauseStep(pausedState(), 'resume', false)).toEqual({ kind: 'act' });
    expect(pauseStep(pausedState(), 'pause', false)).toEqual({ kind: 'already' });
    expect(pauseStep(runningState(), 'resume', false)).toEqual({ kind: 'already' });
  });

  it('refuses jobs without a process, saying what they are', () => {
    const cases: [JobState, string][] = [
      [queuedState(), 'is not running yet: it is queued'],
      [startingState(), 'is not running yet: it is starting'],
      [completedState(), 'is not running: it is completed'],
    ];
    for (const [state, why] of cases) {
      expect(pauseStep(state, 'pause', false)).toEqual({ kind: 'refuse', why });
      expect(pauseStep(state, 'resume', false)).toEqual({ kind: 'refuse', why });
    }
  });

  it('does not pause a job being stopped (a resume is harmless)', () => {
    expect(pauseStep(runningState(), 'pause', true)).toEqual({ kind: 'refuse', why: 'is being stopped' });
    expect(pauseStep(pausedState(), 'resume', true)).toEqual({ kind: 'act' });
  });
});

describe('notStopped', () => {
  it('keeps the members not in state T, t, Z or X', () => {
    const proc = (pid: number, state: string) => [pid, { pid, state } as ProcInfo] as const;
    const table = new Map([proc(1, 'T'), proc(2, 'S'), proc(3, 'R'), proc(4, 'Z'), proc(5, 't'), proc(6, 'D')]);
    expect(notStopped([1, 2, 3, 4, 5, 6, 7], table)).toEqual([2, 3, 6]);
  });
});
