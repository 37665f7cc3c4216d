import { describe, expect, it } from 'vitest';
import type { JobState, KillRecord } from '../../../shared/job.js';
import { JOB_EVENT_TYPES, transition, type JobEvent, type JobEventType } from '../../../daemon/jobs/transitions.js';
import { JOB_STATE_KINDS, type JobStateKind } from '../../../shared/job.js';

const running: JobState = { kind: 'running', startedAt: 1000, pid: 42, startTicks: 7, shimPid: 41 };
const queued: JobState = { kind: 'queued', queuedAt: 1, reason: { kind: 'not_before', at: 100, detail: 'not before 100' } };
const kill = (reason: KillRecord['reason'], forced: number[] = []): KillRecord => ({
  reason,
  requestedAt: 1500,
  signal: 'SIGTERM',
  graceMs: 5000,
  signalled: [42],
  forced,
});

function apply(state: JobState, event: Parameters<typeof transition>[1]): JobState {
  const r = transition(state, event);
  if (!r.ok) throw new Error(r.error);
  return r.state;
}

describe('transition', () => {
  it('starting → running on start, keeping pid and identity', () => {
    const s = apply({ kind: 'starting', since: 1 }, { type: 'started', at: 1000, pid: 42, startTicks: 7, shimPid: 41 });
    expect(s).toEqual(running);
  });

  it('starting → failed on a spawn error, with no exit code and outcome spawn_error', () => {
    const s = apply({ kind: 'starting', since: 1 }, { type: 'spawn_failed', at: 5, error: { code: 'ENOENT', message: 'nope' } });
    expect(s).toMatchObject({ kind: 'failed', exitCode: null, signal: null, spawnError: { code: 'ENOENT' }, outcome: 'spawn_error' });
  });

  it('queued → starting when launched; queued → killed (cancelled, no signal) when stopped before it ran', () => {
    expect(apply(queued, { type: 'launch', at: 7 })).toEqual({ kind: 'starting', since: 7 });
    expect(apply(queued, { type: 'cancel', at: 9, kill: kill('user') })).toMatchObject({ kind: 'killed', outcome: 'cancelled', exitCode: null, signal: null, pid: null, durationMs: 0 });
  });

  it('running ⇄ paused keeps the process identity and records how it was paused; a paused job can end', () => {
    const paused = apply(running, { type: 'pause', at: 1500, by: 'freezer' });
    expect(paused).toEqual({ ...running, kind: 'paused', pausedAt: 1500, pausedBy: 'freezer' });
    // Silent since the start (1000) until the pause: that silence continues after the 200 ms pause.
    expect(apply(paused, { type: 'resume', at: 1700, lastOutputAt: null })).toEqual({ ...running, pausedMs: 200, quietSince: 1200 });
    expect(apply(paused, { type: 'exited', at: 2000, exitCode: null, signal: 9, kill: kill('user'), forced: true })).toMatchObject({ kind: 'killed', outcome: 'signal' });
    expect(transition(running, { type: 'resume', at: 1, lastOutputAt: null }).ok).toBe(false);
    expect(transition(paused, { type: 'pause', at: 1, by: 'signals' }).ok).toBe(false);
  });

  it('paused time adds up over several pauses; the stuck silence skips every pause', () => {
    let s = apply(running, { type: 'pause', at: 1500, by: 'signals' });
    s = apply(s, { type: 'resume', at: 2500, lastOutputAt: 1400 });
    expect(s).toMatchObject({ kind: 'running', pausedMs: 1000, quietSince: 2400 });
    s = apply(s, { type: 'pause', at: 3000, by: 'signals' });
    // No output since 1400: 100 ms before the first pause + 500 ms between the pauses.
    s = apply(s, { type: 'resume', at: 4000, lastOutputAt: 1400 });
    expect(s).toMatchObject({ kind: 'running', pausedMs: 2000, quietSince: 3400 });
  });

  it('exit 0 → completed, exit 3 → failed with 3', () => {
    expect(apply(running, { type: 'exited', at: 3000, exitCode: 0, signal: null, kill: null, forced: false })).toMatchObject({ kind: 'completed', exitCode: 0, durationMs: 2000, outcome: 'exit' });
    expect(apply(running, { type: 'exited', at: 3000, exitCode: 3, signal: null, kill: null, forced: false })).toMatchObject({ kind: 'failed', exitCode: 3, spawnError: null, outcome: 'exit' });
  });

  it('a job that catches the stop signal and exits (0 or N) is killed with 128+N of that signal, as the table says; its own code is in the detail', () => {
    expect(apply(running, { type: 'exited', at: 2000, exitCode: 0, signal: null, kill: kill('user'), forced: false })).toMatchObject({ kind: 'killed', exitCode: 143, signal: null });
    expect(apply(running, { type: 'exited', at: 2000, exitCode: 0, signal: null, kill: kill('timeout'), forced: false })).toMatchObject({ kind: 'timed_out', exitCode: 143 });
    expect(apply(running, { type: 'exited', at: 2000, exitCode: 3, signal: null, kill: kill('user'), forced: false })).toMatchObject({ kind: 'killed', exitCode: 143, outcomeDetail: 'exited 3 after SIGTERM' });
    // an adopted process stopped by procd: its status is unknowable, and stays so
    expect(apply(running, { type: 'exited', at: 2000, exitCode: null, signal: null, kill: kill('user'), forced: false })).toMatchObject({ kind: 'killed', exitCode: null, outcomeDetail: null });
  });

  it('a signal death from outside is killed with 128+N, never exit code 0', () => {
    const s = apply(running, { type: 'exited', at: 2000, exitCode: 0, signal: 11, kill: null, forced: false });
    expect(s).toMatchObject({ kind: 'killed', exitCode: 139, signal: { name: 'SIGSEGV', number: 11 }, kill: null, forced: false });
  });

  it('a stop requested by the user is killed; by the timeout is timed_out', () => {
    expect(apply(running, { type: 'exited', at: 2000, exitCode: null, signal: 15, kill: kill('user'), forced: false })).toMatchObject({ kind: 'killed', exitCode: 143 });
    expect(apply(running, { type: 'exited', at: 2000, exitCode: null, signal: 9, kill: kill('timeout', [42]), forced: true })).toMatchObject({
      kind: 'timed_out',
      signal: { name: 'SIGKILL' },
      forced: true,
    });
  });

  it('running → lost keeps no invented exit status', () => {
    expect(apply(running, { type: 'lost', at: 2000, reason: 'gone' })).toMatchObject({ kind: 'lost', exitCode: null, signal: null, reason: 'gone', outcome: 'vanished' });
  });

  it('lost while another process holds its pid: the ended job keeps no pid, so that process is never taken for its own', () => {
    expect(apply(running, { type: 'lost', at: 2000, reason: 'gone', pidTaken: true })).toMatchObject({ kind: 'lost', pid: null, startTicks: null });
    expect(apply(running, { type: 'lost', at: 2000, reason: 'gone' })).toMatchObject({ kind: 'lost', pid: 42, startTicks: 7 });
  });

  it('refuses events that do not apply', () => {
    const done = apply(running, { type: 'exited', at: 2000, exitCode: 0, signal: null, kill: null, forced: false });
    expect(transition(done, { type: 'exited', at: 3000, exitCode: 1, signal: null, kill: null, forced: false }).ok).toBe(false);
    expect(transition(running, { type: 'started', at: 1, pid: 1, startTicks: 1, shimPid: 1 }).ok).toBe(false);
    expect(transition(queued, { type: 'lost', at: 1, reason: 'x' }).ok).toBe(false);
  });

  it('kill_recorded completes the kill record of a stopped job (forced pids found after the main process died), and only of one', () => {
    const s = apply(running, { type: 'exited', at: 2000, exitCode: null, signal: 15, kill: kill('user'), forced: false });
    expect(apply(s, { type: 'kill_recorded', kill: kill('user', [77]) })).toMatchObject({ kind: 'killed', forced: true, kill: { forced: [77] } });
    const completed = apply(running, { type: 'exited', at: 2000, exitCode: 0, signal: null, kill: null, forced: false });
    expect(transition(completed, { type: 'kill_recorded', kill: kill('user', [77]) }).ok).toBe(false);
  });
});

// Every (state, event) pair: the result's kind, or '-' for a refusal. A new state or event type
// makes the table incomplete, and this test fails until someone decides what it means.
const EXPECTED: Record<JobStateKind, Record<JobEventType, JobStateKind | '-'>> = {
  queued: { launch: 'starting', started: '-', spawn_failed: '-', exited: '-', lost: '-', release: '-', pause: '-', resume: '-', cancel: 'killed', kill_recorded: '-', requeue: '-', dependency_failed: 'failed' },
  starting: { launch: '-', started: 'running', spawn_failed: 'failed', exited: '-', lost: '-', release: '-', pause: '-', resume: '-', cancel: '-', kill_recorded: '-', requeue: '-', dependency_failed: '-' },
  running: { launch: '-', started: '-', spawn_failed: '-', exited: 'failed', lost: 'lost', release: 'lost', pause: 'paused', resume: '-', cancel: '-', kill_recorded: '-', requeue: '-', dependency_failed: '-' },
  paused: { launch: '-', started: '-', spawn_failed: '-', exited: 'failed', lost: 'lost', release: 'lost', pause: '-', resume: 'running', cancel: '-', kill_recorded: '-', requeue: '-', dependency_failed: '-' },
  completed: { launch: '-', started: '-', spawn_failed: '-', exited: '-', lost: '-', release: '-', pause: '-', resume: '-', cancel: '-', kill_recorded: '-', requeue: 'queued', dependency_failed: '-' },
  failed: { launch: '-', started: '-', spawn_failed: '-', exited: '-', lost: '-', release: '-', pause: '-', resume: '-', cancel: '-', kill_recorded: '-', requeue: 'queued', dependency_failed: '-' },
  killed: { launch: '-', started: '-', spawn_failed: '-', exited: '-', lost: '-', release: '-', pause: '-', resume: '-', cancel: '-', kill_recorded: 'killed', requeue: 'queued', dependency_failed: '-' },
  timed_out: { launch: '-', started: '-', spawn_failed: '-', exited: '-', lost: '-', release: '-', pause: '-', resume: '-', cancel: '-', kill_recorded: 'timed_out', requeue: 'queued', dependency_failed: '-' },
  lost: { launch: '-', started: '-', spawn_failed: '-', exited: '-', lost: '-', release: '-', pause: '-', resume: '-', cancel: '-', kill_recorded: '-', requeue: 'queued', dependency_failed: '-' },
};

const ended = { startedAt: 1000, endedAt: 2000, durationMs: 1000, pid: 42, startTicks: 7, exitCode: 1, signal: null, outcomeDetail: null };
const SAMPLE_STATES: Record<JobStateKind, JobState> = {
  queued,
  starting: { kind: 'starting', since: 1 },
  running,
  paused: { ...running, kind: 'paused', pausedAt: 1500 },
  completed: { kind: 'completed', ...ended, exitCode: 0, outcome: 'exit' },
  failed: { kind: 'failed', ...ended, outcome: 'exit', spawnError: null },
  killed: { kind: 'killed', ...ended, exitCode: 143, outcome: 'signal', kill: kill('user'), forced: false },
  timed_out: { kind: 'timed_out', ...ended, exitCode: 143, outcome: 'timeout', kill: kill('timeout'), forced: false },
  lost: { kind: 'lost', ...ended, exitCode: null, outcome: 'vanished', reason: 'gone' },
};
const SAMPLE_EVENTS: Record<JobEventType, JobEvent> = {
  launch: { type: 'launch', at: 5 },
  started: { type: 'started', at: 5, pid: 9, startTicks: 1, shimPid: 8 },
  spawn_failed: { type: 'spawn_failed', at: 5, error: { code: 'ENOENT', message: 'x' } },
  exited: { type: 'exited', at: 3000, exitCode: 1, signal: null, kill: null, forced: false },
  lost: { type: 'lost', at: 3000, reason: 'x' },
  release: { type: 'release', at: 3000 },
  pause: { type: 'pause', at: 1500, by: 'signals' },
  resume: { type: 'resume', at: 1600, lastOutputAt: null },
  cancel: { type: 'cancel', at: 5, kill: null },
  kill_recorded: { type: 'kill_recorded', kill: kill('user') },
  requeue: { type: 'requeue', at: 4000, reason: { kind: 'restart', at: 4000, detail: 'procd restart', delayMs: 0, run: 2 } },
  dependency_failed: { type: 'dependency_failed', at: 4000, detail: 'build:completed can no longer be met: job 3 (build) failed (exit 1)' },
};

describe('release', () => {
  it('an adopted process let go of ends lost with outcome released: no exit code, no signal', () => {
    const released = apply(running, { type: 'release', at: 2500 });
    expect(released).toMatchObject({ kind: 'lost', outcome: 'released', exitCode: null, signal: null, endedAt: 2500, pid: running.pid });
  });
});

describe('transition table', () => {
  it('covers every state kind and event type', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...JOB_STATE_KINDS].sort());
    for (const row of Object.values(EXPECTED)) expect(Object.keys(row).sort()).toEqual([...JOB_EVENT_TYPES].sort());
  });

  for (const kind of JOB_STATE_KINDS) {
    for (const type of JOB_EVENT_TYPES) {
      const want = EXPECTED[kind][type];
      it(`${kind} + ${type} → ${want === '-' ? 'refused' : want}`, () => {
        const r = transition(SAMPLE_STATES[kind], SAMPLE_EVENTS[type]);
        if (want === '-') {
          expect(r.ok).toBe(false);
          if (!r.ok) expect(r.error).toMatch(type);
        } else {
          expect(r).toMatchObject({ ok: true, state: { kind: want } });
        }
      });
    }
  }
});
