import { describe, expect, it } from 'vitest';
import type { Job, JobState } from '../../../shared/job.js';
import { planRecovery, type Observation } from '../../../daemon/jobs/recovery.js';
import type { ExitRecord, StartedRecord } from '../../../daemon/output/spawn-spec.js';
import { completedState, makeJob } from '../../helpers/job-factory.js';

function job(state: JobState, pendingKill: Job['pendingKill'] = null): Job {
  return makeJob({ id: 7, state, pendingKill });
}

const nothing: Observation = { exit: null, started: null, process: null, endPending: false };
const started: StartedRecord = { pid: 500, shimPid: 499, at: 10 };
const exit: ExitRecord = { pid: 500, shimPid: 499, exitCode: 3, signal: null, coreDumped: false, startedAt: 10, at: 20 };
const running: JobState = { kind: 'running', startedAt: 10, pid: 500, startTicks: 77, shimPid: 499 };
const starting: JobState = { kind: 'starting', since: 5 };
const kill = { reason: 'user' as const, requestedAt: 15, signal: 'SIGTERM', graceMs: 5000, signalled: [500], forced: [] };

describe('planRecovery', () => {
  it('leaves finished jobs alone', () => {
    expect(planRecovery(job(completedState()), { ...nothing, exit })).toBeNull();
  });

  it('keeps a queued job queued (a restart no longer wipes the queue)', () => {
    const queued: JobState = { kind: 'queued', queuedAt: 1, reason: { kind: 'not_before', at: 99, detail: 'x' } };
    expect(planRecovery(job(queued), nothing)).toEqual({ kind: 'requeue', id: 7 });
  });

  it('starting, exit file written: the end is recorded (started and ended while no daemon ran)', () => {
    expect(planRecovery(job(starting), { ...nothing, exit, started, process: { ours: false, startTicks: null } })).toEqual({ kind: 'record_exit', id: 7, exit });
  });

  it('starting, no started file: the daemon stopped before the job started → spawn failure', () => {
    expect(planRecovery(job(starting), nothing)).toMatchObject({ kind: 'spawn_failed', error: { code: 'EINTR' } });
  });

  it('starting, started and still ours: the start is recorded and it is watched', () => {
    expect(planRecovery(job(starting), { ...nothing, started, process: { ours: true, startTicks: 42 } })).toEqual({ kind: 'record_start', id: 7, started, startTicks: 42 });
  });

  it('starting, started but gone without status: lost (after recording the start)', () => {
    expect(planRecovery(job(starting), { ...nothing, started, process: { ours: false, startTicks: null } })).toMatchObject({ kind: 'lost', started });
  });

  it('running with an exit file: the end is recorded', () => {
    expect(planRecovery(job(running), { ...nothing, exit, process: { ours: false, startTicks: 77 } })).toEqual({ kind: 'record_exit', id: 7, exit });
  });

  it('running and ours: watched; a stop in progress is resumed', () => {
    expect(planRecovery(job(running), { ...nothing, process: { ours: true, startTicks: 77 } })).toEqual({ kind: 'watch', id: 7, resumeStop: false });
    expect(planRecovery(job(running, kill), { ...nothing, process: { ours: true, startTicks: 77 } })).toEqual({ kind: 'watch', id: 7, resumeStop: true });
  });

  it('running, the pid is gone or belongs to another process now, no exit file: lost', () => {
    expect(planRecovery(job(running), { ...nothing, process: { ours: false, startTicks: 77 } })).toMatchObject({ kind: 'lost', started: null, pidTaken: false });
  });

  it('lost while another process holds its pid: the action says so, so the ended job keeps no pid', () => {
    const action = planRecovery(job(running), { ...nothing, process: { ours: false, startTicks: null, taken: true } });
    expect(action).toMatchObject({ kind: 'lost', pidTaken: true, reason: expect.stringMatching(/its pid now belongs to another process/) });
  });

  it('paused is recovered like running', () => {
    const paused: JobState = { ...running, kind: 'paused', pausedAt: 12 } as JobState;
    expect(planRecovery(job(paused), { ...nothing, process: { ours: true, startTicks: 77 } })).toMatchObject({ kind: 'watch' });
  });

  it('gone without an exit file while the shim still runs: watched, not lost (the shim is writing the status)', () => {
    const gone = { ours: false, startTicks: 77 };
    expect(planRecovery(job(running, kill), { ...nothing, process: gone, endPending: true })).toEqual({ kind: 'watch', id: 7, resumeStop: false });
    expect(planRecovery(job(starting), { ...nothing, started, process: { ours: false, startTicks: null }, endPending: true })).toEqual({
      kind: 'record_start',
      id: 7,
      started,
      startTicks: null,
    });
  });
});
