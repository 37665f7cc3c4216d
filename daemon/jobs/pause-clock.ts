// Paused time does not count: the clocks of a run (--timeout, the stuck flag's silence, the
// time-sink flag's elapsed time) as pure functions of the job's state, so a pause of an hour
// neither times a job out nor flags it stuck or a time sink.

import type { JobState, LiveProcessState, PauseClock } from '../../shared/job.js';

/** Time the run has spent paused by `now`: earlier pauses plus the current one. */
export function pausedSoFar(state: LiveProcessState, now: number): number {
  const earlier = state.pausedMs ?? 0;
  return state.kind === 'paused' ? earlier + Math.max(0, now - state.pausedAt) : earlier;
}

/** How long the run has been running by `now`, paused time left out. */
export function activeMs(state: LiveProcessState, now: number): number {
  return Math.max(0, now - state.startedAt - pausedSoFar(state, now));
}

/** When a running job's --timeout falls due (null while paused: its clock stands still). */
export function timeoutDueAt(state: JobState, timeoutMs: number): number | null {
  if (state.kind !== 'running') return null;
  return state.startedAt + (state.pausedMs ?? 0) + timeoutMs;
}

/** Where the stuck flag's silence begins: the last output, the start, or a silence carried across pauses. */
export function silenceStart(state: LiveProcessState, lastOutputAt: number | null): number {
  return Math.max(lastOutputAt ?? 0, state.startedAt, state.quietSince ?? 0);
}

/**
 * The clock fields of the run after resuming at `at`: the pause's length is added to the paused
 * time, and a silence that began before the pause is shifted later by it (the shim may still have
 * stored output the job wrote just before the pause: such a silence begins at the pause).
 */
export function clockAfterResume(state: Extract<JobState, { kind: 'paused' }>, at: number, lastOutputAt: number | null): Required<PauseClock> {
  const pause = Math.max(0, at - state.pausedAt);
  const silenceBegan = Math.min(silenceStart(state, lastOutputAt), state.pausedAt);
  return { pausedMs: (state.pausedMs ?? 0) + pause, quietSince: silenceBegan + pause };
}
