// The job state machine as a pure function: (state, event) → new state, or a refusal saying why
// the event does not apply. The job table is the only caller; nothing else writes a state. Both
// switches are exhaustive: a new state kind or event type does not compile until it is handled.

import { isTerminal, type JobState, type KillRecord, type PauseMethod, type QueueReason, type SpawnError, type TerminalState } from '../../shared/job.js';
import type { OutcomeKind } from '../../shared/outcomes.js';
import { parseSignal, signalName } from '../../shared/signals.js';
import { unreachable } from '../../shared/unreachable.js';
import { clockAfterResume } from './pause-clock.js';

export type JobEvent =
  /** A queued job's turn came: the launcher is starting its shim. */
  | { type: 'launch'; at: number }
  | { type: 'started'; at: number; pid: number; startTicks: number | null; shimPid: number | null }
  | { type: 'spawn_failed'; at: number; error: SpawnError }
  /** The main process ended. `kill` is the stop request in progress, if any; it decides killed vs timed_out. */
  | { type: 'exited'; at: number; exitCode: number | null; signal: number | null; kill: KillRecord | null; forced: boolean; oomKilled?: boolean }
  /** `pidTaken`: another process holds the recorded pid now; the ended job keeps no pid, so nothing of that process is ever taken for the job's. */
  | { type: 'lost'; at: number; reason: string; pidTaken?: boolean }
  /** An adopted process procd stops supervising without signalling it (`procd release`). */
  | { type: 'release'; at: number }
  /** Its processes are stopped (frozen or SIGSTOPped, `by`). */
  | { type: 'pause'; at: number; by: PauseMethod }
  /** Its processes run again; the last output time shifts the stuck flag's silence past the pause. */
  | { type: 'resume'; at: number; lastOutputAt: number | null }
  /** Stopped before it ever ran. */
  | { type: 'cancel'; at: number; kill: KillRecord | null }
  /** The kill procedure finished after the main process had already ended: the complete record. */
  | { type: 'kill_recorded'; kill: KillRecord }
  /** An ended job runs again under the same id (`procd restart`, a service back after a reboot). */
  | { type: 'requeue'; at: number; reason: QueueReason }
  /** A queued job's dependency can no longer be met (`--after`): it ends without running. */
  | { type: 'dependency_failed'; at: number; detail: string };

export type JobEventType = JobEvent['type'];
export const JOB_EVENT_TYPES: readonly JobEventType[] = ['launch', 'started', 'spawn_failed', 'exited', 'lost', 'release', 'pause', 'resume', 'cancel', 'kill_recorded', 'requeue', 'dependency_failed'];

export type TransitionResult = { ok: true; state: JobState } | { ok: false; error: string };

export function transition(state: JobState, event: JobEvent): TransitionResult {
  switch (state.kind) {
    case 'queued':
      switch (event.type) {
        case 'launch':
          return ok({ kind: 'starting', since: event.at });
        case 'cancel':
          return ok({ kind: 'killed', ...neverRan(event.at, 'cancelled'), kill: event.kill, forced: false });
        case 'dependency_failed':
          return ok({ kind: 'failed', ...neverRan(event.at, 'dependency_failed'), outcomeDetail: event.detail, spawnError: null });
        case 'started':
        case 'spawn_failed':
        case 'exited':
        case 'lost':
        case 'release':
        case 'pause':
        case 'resume':
        case 'kill_recorded':
        case 'requeue':
          return refuse(state, event);
        default:
          return unreachable(event, 'lifecycle case');
      }
    case 'starting':
      switch (event.type) {
        case 'started':
          return ok({ kind: 'running', startedAt: event.at, pid: event.pid, startTicks: event.startTicks, shimPid: event.shimPid });
        case 'spawn_failed':
          return ok({ kind: 'failed', ...neverRan(event.at, 'spawn_error'), spawnError: event.error });
        case 'launch':
        case 'exited':
        case 'lost':
        case 'release':
        case 'pause':
        case 'resume':
        case 'cancel':
        case 'kill_recorded':
        case 'requeue':
        case 'dependency_failed':
          return refuse(state, event);
        default:
          return unreachable(event, 'lifecycle case');
      }
    case 'running':
    case 'paused':
      switch (event.type) {
        case 'exited':
          return ok(endState(state, event));
        case 'lost':
          return ok({ kind: 'lost', ...ended(state, event.at), ...(event.pidTaken ? { pid: null, startTicks: null } : {}), exitCode: null, signal: null, outcome: 'vanished', outcomeDetail: null, reason: event.reason });
        case 'release':
          return ok({ kind: 'lost', ...ended(state, event.at), exitCode: null, signal: null, outcome: 'released', outcomeDetail: null, reason: 'released with procd release: procd stopped supervising it without signalling it' });
        case 'pause':
          if (state.kind === 'paused') return refuse(state, event);
          return ok({ ...state, kind: 'paused', pausedAt: event.at, pausedBy: event.by });
        case 'resume': {
          if (state.kind === 'running') return refuse(state, event);
          const { pausedAt: _pausedAt, pausedBy: _pausedBy, ...rest } = state;
          return ok({ ...rest, kind: 'running', ...clockAfterResume(state, event.at, event.lastOutputAt) });
        }
        case 'launch':
        case 'started':
        case 'spawn_failed':
        case 'cancel':
        case 'kill_recorded':
        case 'requeue':
        case 'dependency_failed':
          return refuse(state, event);
        default:
          return unreachable(event, 'lifecycle case');
      }
    case 'killed':
    case 'timed_out':
      if (event.type === 'kill_recorded') return ok({ ...state, kill: event.kill, forced: state.forced || event.kill.forced.length > 0 });
      if (event.type === 'requeue') return ok({ kind: 'queued', queuedAt: event.at, reason: event.reason });
      return refuse(state, event);
    case 'completed':
    case 'failed':
    case 'lost':
      if (event.type === 'requeue') return ok({ kind: 'queued', queuedAt: event.at, reason: event.reason });
      return refuse(state, event);
    default:
      return unreachable(state, 'lifecycle case');
  }
}

function refuse(state: JobState, event: JobEvent): TransitionResult {
  if (isTerminal(state)) return { ok: false, error: `job already ended (${state.kind}); event ${event.type} ignored` };
  return { ok: false, error: `event ${event.type} does not apply to a ${state.kind} job` };
}

/** The fields of an end for a job that never had a process. */
function neverRan(at: number, outcome: OutcomeKind) {
  return { startedAt: at, endedAt: at, durationMs: 0, pid: null, startTicks: null, exitCode: null, signal: null, outcome, outcomeDetail: null };
}

function ended(state: Extract<JobState, { kind: 'running' | 'paused' }>, at: number) {
  return { startedAt: state.startedAt, endedAt: at, durationMs: Math.max(0, at - state.startedAt), pid: state.pid, startTicks: state.startTicks };
}

function endState(state: Extract<JobState, { kind: 'running' | 'paused' }>, event: Extract<JobEvent, { type: 'exited' }>): TerminalState {
  const signal = event.signal === null ? null : { name: signalName(event.signal), number: event.signal };
  // A signal death reports 128+N like a shell does, never 0. A job that catches procd's stop
  // signal and exits (0 or N) was still stopped, not completed or failed: it reports 128+N of that
  // signal too (the table of outcomes), and the code it chose is kept in the outcome's detail. An
  // end whose status is unknowable (an adopted process: procd is not its parent) stays null.
  const stopSignal = event.kill ? parseSignal(event.kill.signal) : null;
  const exitCode = signal ? 128 + signal.number : stopSignal && event.exitCode !== null ? 128 + stopSignal.number : event.exitCode;
  const ownCode = !signal && stopSignal && event.exitCode !== null ? `exited ${event.exitCode} after ${stopSignal.name}` : null;
  const exit = { ...ended(state, event.at), exitCode, signal, outcomeDetail: ownCode };
  // Stopped for going over a limit or for failing its liveness probe: failed, whatever the job did
  // on the way out (so its restart policy may start it again); the code is that of the signal that ended it.
  const failure = event.kill ? procdFailure(event.kill) : null;
  if (failure) return { kind: 'failed', ...exit, exitCode: 128 + (signal ?? stopSignal ?? { number: 9 }).number, ...failure, spawnError: null };
  if (event.kill?.reason === 'timeout') return { kind: 'timed_out', ...exit, outcome: 'timeout', kill: event.kill, forced: event.forced };
  if (event.kill) return { kind: 'killed', ...exit, outcome: 'signal', kill: event.kill, forced: event.forced };
  // A SIGKILL nobody here sent, while the kernel's OOM killer struck in the job's cgroup: out of memory, a failure.
  if (signal?.number === 9 && event.oomKilled) return { kind: 'failed', ...exit, outcome: 'oom', spawnError: null };
  if (signal) return { kind: 'killed', ...exit, outcome: 'signal', kill: null, forced: false };
  if (exitCode === 0) return { kind: 'completed', ...exit, outcome: 'exit' };
  return { kind: 'failed', ...exit, outcome: 'exit', spawnError: null };
}

/** The outcome of a stop procd made because the job failed something (a limit, its liveness probe); null for other stops. */
function procdFailure(kill: KillRecord): { outcome: 'limit' | 'unhealthy'; outcomeDetail: string | null } | null {
  if (kill.reason === 'limit') return { outcome: 'limit', outcomeDetail: kill.limit ?? null };
  if (kill.reason === 'liveness') return { outcome: 'unhealthy', outcomeDetail: 'liveness' };
  return null;
}

const ok = (state: JobState): TransitionResult => ({ ok: true, state });
