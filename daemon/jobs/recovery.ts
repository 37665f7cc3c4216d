// Recovery after a daemon restart, as a pure decision: from each unfinished job's record and
// what is observed on the machine (its files, whether its process is alive and ours), decide
// what happened while no daemon ran. recovery-run.ts observes and then carries the plan out.

import type { Job, JobId, SpawnError } from '../../shared/job.js';
import type { ExitRecord, StartedRecord } from '../output/spawn-spec.js';
import { unreachable } from '../../shared/unreachable.js';

/** What was found for one unfinished job, read in this order: liveness first, then the files. */
export interface Observation {
  /** The exit file (how it ended, or why it never started), if the shim wrote one. */
  exit: ExitRecord | null;
  /** For a `starting` job: the started file, if the shim wrote one. */
  started: StartedRecord | null;
  /**
   * The process the record (or the started file) names: alive with the same start time (or, when
   * no start time is known, alive and carrying the job's markers), with its start time.
   */
  process: { ours: boolean; startTicks: number | null; /** Alive, but another process now holds the pid. */ taken?: boolean } | null;
  /**
   * Nothing lives under the process's pid (a zombie counts as gone) while its shim still runs:
   * the shim reaps, then writes the exit file, so the status is on its way and the end watcher
   * waits for it, bounded. (A live stranger under the pid means the shim reaped it long ago.)
   */
  endPending: boolean;
}

export type RecoveryAction =
  /** It ended (or failed to start) while no daemon ran: record the exit file. */
  | { kind: 'record_exit'; id: JobId; exit: ExitRecord }
  /** It started while no daemon ran and still runs: record the start, then watch it. */
  | { kind: 'record_start'; id: JobId; started: StartedRecord; startTicks: number | null }
  /** Still runs: watch it by pid (and its exit file), re-arm its timeout, finish a stop in progress. */
  | { kind: 'watch'; id: JobId; resumeStop: boolean }
  /** The shim never reported a start and left nothing: it failed. */
  | { kind: 'spawn_failed'; id: JobId; error: SpawnError }
  /** Its process is gone and left no status; `pidTaken`: another process holds its pid now (never the job's). */
  | { kind: 'lost'; id: JobId; reason: string; started: StartedRecord | null; pidTaken: boolean }
  /** Still waiting: keep it queued and arm its start time again. */
  | { kind: 'requeue'; id: JobId };

export function planRecovery(job: Job, seen: Observation): RecoveryAction | null {
  const id = job.id;
  const state = job.state;
  switch (state.kind) {
    case 'completed':
    case 'failed':
    case 'killed':
    case 'timed_out':
    case 'lost':
      return null;
    case 'queued':
      return { kind: 'requeue', id };
    case 'starting':
      if (seen.exit) return { kind: 'record_exit', id, exit: seen.exit };
      if (!seen.started) return { kind: 'spawn_failed', id, error: { code: 'EINTR', message: 'the daemon stopped before the job started' } };
      if (seen.process?.ours) return { kind: 'record_start', id, started: seen.started, startTicks: seen.process.startTicks };
      if (seen.endPending) return { kind: 'record_start', id, started: seen.started, startTicks: null };
      return lost(id, seen, seen.started);
    case 'running':
    case 'paused':
      if (seen.exit) return { kind: 'record_exit', id, exit: seen.exit };
      if (seen.process?.ours) return { kind: 'watch', id, resumeStop: job.pendingKill !== null };
      // Gone, its end on the way: nothing left to stop; a stop in progress is recorded with the end.
      if (seen.endPending) return { kind: 'watch', id, resumeStop: false };
      return lost(id, seen, null);
    default:
      return unreachable(state, 'job state in recovery');
  }
}

function lost(id: JobId, seen: Observation, started: StartedRecord | null): RecoveryAction {
  const pidTaken = seen.process?.taken === true;
  const why = 'the main process ended while the daemon was down and left no exit status';
  return { kind: 'lost', id, reason: pidTaken ? `${why} (its pid now belongs to another process)` : why, started, pidTaken };
}
