// What follows the end of a run (daemon/jobs/run-end.ts), as a pure function: no policy, a policy
// that restarts (the next run queued with its backoff, the ended run recorded, its own directory),
// a stop by the user (stays down), and a policy that gives up (failed, the last exit code).

import { describe, expect, it } from 'vitest';
import { defaultRestartSpec } from '../../../shared/restart.js';
import { afterRunEnd, runDir } from '../../../daemon/jobs/run-end.js';
import { completedState, failedState, killedState, makeJob, spawnFailedState, T0 } from '../../helpers/job-factory.js';

const MID = () => 0.5; // no jitter
const failedRun = failedState({ exitCode: 3, startedAt: T0, endedAt: T0 + 1000 });

describe('after a run ends', () => {
  it('without a restart policy the job stays as it ended', () => {
    expect(afterRunEnd(makeJob(), failedRun, T0 + 1000, MID)).toBeNull();
    expect(afterRunEnd(makeJob({ spec: { restart: defaultRestartSpec('no') } }), failedRun, T0 + 1000, MID)).toBeNull();
  });

  it('on-failure: the next run is queued after the backoff, the ended run is recorded with its directory, and the new run gets its own', () => {
    const job = makeJob({ id: 7, dir: '/h/jobs/7', spec: { restart: defaultRestartSpec('on-failure') } });
    const change = afterRunEnd(job, failedRun, T0 + 1000, MID)!;
    expect(change.state).toMatchObject({ kind: 'queued', queuedAt: T0 + 1000, reason: { kind: 'restart', at: T0 + 2000, delayMs: 1000, run: 2 } });
    expect(change.runs).toMatchObject({ current: 2, restarts: 1, earlier: [{ run: 1, state: 'failed', exitCode: 3, dir: '/h/jobs/7', then: 'restart' }] });
    expect(change.dir).toBe('/h/jobs/7/run-2');
    expect(change.output).toMatchObject({ stdoutBytes: 0, stderrBytes: 0 });
    // the run after that: from run-2's directory to run-3, the backoff doubled
    const next = afterRunEnd({ ...job, ...change, state: failedRun }, failedState({ exitCode: 3, startedAt: T0 + 2000, endedAt: T0 + 2500 }), T0 + 2500, MID)!;
    expect(next.dir).toBe('/h/jobs/7/run-3');
    expect(next.state).toMatchObject({ reason: { delayMs: 2000, run: 3 } });
    expect(next.runs?.earlier.map((r) => r.dir)).toEqual(['/h/jobs/7', '/h/jobs/7/run-2']);
  });

  it('on-failure leaves a job that exited 0 alone; always restarts it', () => {
    const ok = completedState({ startedAt: T0, endedAt: T0 + 1000 });
    expect(afterRunEnd(makeJob({ spec: { restart: defaultRestartSpec('on-failure') } }), ok, T0 + 1000, MID)).toBeNull();
    expect(afterRunEnd(makeJob({ spec: { restart: defaultRestartSpec('always') } }), ok, T0 + 1000, MID)?.state.kind).toBe('queued');
  });

  it('a command that cannot start on its first run fails at once; a later run that cannot start is retried', () => {
    const job = makeJob({ spec: { restart: defaultRestartSpec('always') } });
    const cannot = spawnFailedState({ startedAt: T0, endedAt: T0 });
    expect(afterRunEnd(job, cannot, T0, MID)).toBeNull();
    const later = { ...job, runs: { current: 2, restarts: 1, earlier: [], history: { restartTimes: [T0 - 5000], quickFailures: 1 } } };
    expect(afterRunEnd(later, cannot, T0, MID)?.state.kind).toBe('queued');
  });

  it('a job procd kill stopped never restarts, whatever its policy', () => {
    const killed = killedState({ kill: { reason: 'user', requestedAt: T0, signal: 'SIGTERM', graceMs: 5000, signalled: [100], forced: [] } });
    expect(afterRunEnd(makeJob({ spec: { restart: defaultRestartSpec('always') } }), killed, T0 + 1000, MID)).toBeNull();
  });

  it('gives up at max-restarts: failed, restarts_exhausted, the last run’s exit code', () => {
    const spec = { ...defaultRestartSpec('on-failure'), maxRestarts: 2 };
    const job = makeJob({ spec: { restart: spec }, runs: { current: 3, restarts: 2, earlier: [], history: { restartTimes: [T0 - 2000, T0 - 1000], quickFailures: 2 } } });
    const change = afterRunEnd(job, failedRun, T0 + 1000, MID)!;
    expect(change.state).toMatchObject({ kind: 'failed', outcome: 'restarts_exhausted', exitCode: 3, outcomeDetail: '2 restarts within 600s (at most 2)' });
    expect(change.runs).toBeUndefined();
  });

  it('names run directories from the job directory whatever run it is in', () => {
    expect(runDir({ dir: '/h/jobs/7' }, 1)).toBe('/h/jobs/7');
    expect(runDir({ dir: '/h/jobs/7' }, 2)).toBe('/h/jobs/7/run-2');
    expect(runDir({ dir: '/h/jobs/7/run-4', runs: { current: 4, restarts: 3, earlier: [], history: { restartTimes: [], quickFailures: 0 } } }, 5)).toBe('/h/jobs/7/run-5');
  });
});
