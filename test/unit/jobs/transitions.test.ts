import { describe, expect, it } from 'vitest';
import type { JobState, KillRecord } from '../../../shared/job.js';
import { annotateKill, transition } from '../../../daemon/jobs/transitions.js';

const running: JobState = { kind: 'running', startedAt: 1000, pid: 42, startTicks: 7, shimPid: 41 };
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
  it('queued → running on start, keeping pid and identity', () => {
    const s = apply({ kind: 'queued', queuedAt: 1 }, { type: 'started', at: 1000, pid: 42, startTicks: 7, shimPid: 41 });
    expect(s).toEqual(running);
  });

  it('queued → failed on a spawn error, with no exit code', () => {
    const s = apply({ kind: 'queued', queuedAt: 1 }, { type: 'spawn_failed', at: 5, error: { code: 'ENOENT', message: 'nope' } });
    expect(s).toMatchObject({ kind: 'failed', exitCode: null, signal: null, spawnError: { code: 'ENOENT' } });
  });

  it('exit 0 → completed, exit 3 → failed with 3', () => {
    expect(apply(running, { type: 'exited', at: 3000, exitCode: 0, signal: null, kill: null, forced: false })).toMatchObject({ kind: 'completed', exitCode: 0, durationMs: 2000 });
    expect(apply(running, { type: 'exited', at: 3000, exitCode: 3, signal: null, kill: null, forced: false })).toMatchObject({ kind: 'failed', exitCode: 3, spawnError: null });
  });

  it('a job that catches the stop signal and exits 0 is killed with 128+N of that signal, never 0; a non-zero code of its own is kept', () => {
    expect(apply(running, { type: 'exited', at: 2000, exitCode: 0, signal: null, kill: kill('user'), forced: false })).toMatchObject({ kind: 'killed', exitCode: 143, signal: null });
    expect(apply(running, { type: 'exited', at: 2000, exitCode: 0, signal: null, kill: kill('timeout'), forced: false })).toMatchObject({ kind: 'timed_out', exitCode: 143 });
    expect(apply(running, { type: 'exited', at: 2000, exitCode: 3, signal: null, kill: kill('user'), forced: false })).toMatchObject({ kind: 'killed', exitCode: 3 });
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
    expect(apply(running, { type: 'lost', at: 2000, reason: 'gone' })).toMatchObject({ kind: 'lost', exitCode: null, signal: null, reason: 'gone' });
  });

  it('refuses events that do not apply', () => {
    const done = apply(running, { type: 'exited', at: 2000, exitCode: 0, signal: null, kill: null, forced: false });
    expect(transition(done, { type: 'exited', at: 3000, exitCode: 1, signal: null, kill: null, forced: false }).ok).toBe(false);
    expect(transition(running, { type: 'started', at: 1, pid: 1, startTicks: 1, shimPid: 1 }).ok).toBe(false);
    expect(transition({ kind: 'queued', queuedAt: 1 }, { type: 'lost', at: 1, reason: 'x' }).ok).toBe(false);
  });

  it('annotateKill records forced pids found after the main process died', () => {
    const s = apply(running, { type: 'exited', at: 2000, exitCode: null, signal: 15, kill: kill('user'), forced: false });
    const annotated = annotateKill(s, kill('user', [77]));
    expect(annotated).toMatchObject({ kind: 'killed', forced: true, kill: { forced: [77] } });
    const completed = apply(running, { type: 'exited', at: 2000, exitCode: 0, signal: null, kill: null, forced: false });
    expect(annotateKill(completed, kill('user', [77]))).toBe(completed);
  });
});
