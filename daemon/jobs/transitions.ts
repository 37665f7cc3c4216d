// The job state machine as a pure function: (state, event) → new state, or an error saying why
// the event does not apply. The job table is the only caller; tests exercise it on its own.

import type { JobState, KillRecord, SpawnError } from '../../shared/job.js';
import { parseSignal, signalName } from '../../shared/signals.js';

export type JobEvent =
  | { type: 'started'; at: number; pid: number; startTicks: number | null; shimPid: number | null }
  | { type: 'spawn_failed'; at: number; error: SpawnError }
  /** The main process ended. `kill` is the stop request in progress, if any; it decides killed vs timed_out. */
  | { type: 'exited'; at: number; exitCode: number | null; signal: number | null; kill: KillRecord | null; forced: boolean }
  | { type: 'lost'; at: number; reason: string };

export type TransitionResult = { ok: true; state: JobState } | { ok: false; error: string };

export function transition(state: JobState, event: JobEvent): TransitionResult {
  switch (state.kind) {
    case 'queued':
      if (event.type === 'started') {
        return ok({ kind: 'running', startedAt: event.at, pid: event.pid, startTicks: event.startTicks, shimPid: event.shimPid });
      }
      if (event.type === 'spawn_failed') {
        return ok({ kind: 'failed', startedAt: event.at, endedAt: event.at, durationMs: 0, pid: null, startTicks: null, exitCode: null, signal: null, spawnError: event.error });
      }
      break;
    case 'running': {
      const ended = {
        startedAt: state.startedAt,
        endedAt: event.at,
        durationMs: Math.max(0, event.at - state.startedAt),
        pid: state.pid,
        startTicks: state.startTicks,
      };
      if (event.type === 'exited') return ok(endState(ended, event));
      if (event.type === 'lost') return ok({ kind: 'lost', ...ended, exitCode: null, signal: null, reason: event.reason });
      break;
    }
    default:
      return { ok: false, error: `job already ended (${state.kind}); event ${event.type} ignored` };
  }
  return { ok: false, error: `event ${event.type} does not apply to a ${state.kind} job` };
}

function endState(
  ended: { startedAt: number; endedAt: number; durationMs: number; pid: number; startTicks: number | null },
  event: Extract<JobEvent, { type: 'exited' }>,
): JobState {
  const signal = event.signal === null ? null : { name: signalName(event.signal), number: event.signal };
  // A signal death reports 128+N like a shell does, never 0. A job that catches procd's stop
  // signal and exits 0 was still stopped, not completed: it reports 128+N of that signal too.
  const stopSignal = event.kill ? parseSignal(event.kill.signal) : null;
  const exitCode = signal ? 128 + signal.number : event.exitCode === 0 && stopSignal ? 128 + stopSignal.number : event.exitCode;
  const exit = { ...ended, exitCode, signal };
  if (event.kill?.reason === 'timeout') return { kind: 'timed_out', ...exit, kill: event.kill, forced: event.forced };
  if (event.kill) return { kind: 'killed', ...exit, kill: event.kill, forced: event.forced };
  if (signal) return { kind: 'killed', ...exit, kill: null, forced: false };
  if (exitCode === 0) return { kind: 'completed', ...exit };
  return { kind: 'failed', ...exit, spawnError: null };
}

/**
 * Records how a stop ended once the kill procedure has finished: the main process may have died
 * from the first signal while a descendant needed SIGKILL after the grace period.
 */
export function annotateKill(state: JobState, kill: KillRecord): JobState {
  if (state.kind === 'killed' || state.kind === 'timed_out') {
    return { ...state, kill, forced: state.forced || kill.forced.length > 0 };
  }
  return state;
}

const ok = (state: JobState): TransitionResult => ({ ok: true, state });
