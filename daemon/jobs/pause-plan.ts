// What a pause or resume request does to a job, as a pure decision from its state: act, nothing
// (it already is in that state), or a refusal saying why. And which processes of a paused job
// still run (to stop them again after a daemon restart).

import type { JobState } from '../../shared/job.js';
import type { ProcessTable } from '../proc/process-table.js';

export type PauseRequest = 'pause' | 'resume';

export type PauseStep = { kind: 'act' } | { kind: 'already' } | { kind: 'refuse'; why: string };

export function pauseStep(state: JobState | null, request: PauseRequest, stopping: boolean): PauseStep {
  if (!state) return { kind: 'refuse', why: 'was removed' };
  if (stopping && request === 'pause') return { kind: 'refuse', why: 'is being stopped' };
  switch (state.kind) {
    case 'running':
      return request === 'pause' ? { kind: 'act' } : { kind: 'already' };
    case 'paused':
      return request === 'resume' ? { kind: 'act' } : { kind: 'already' };
    case 'queued':
    case 'starting':
      return { kind: 'refuse', why: `is not running yet: it is ${state.kind}` };
    default:
      return { kind: 'refuse', why: `is not running: it is ${state.kind}` };
  }
}

/** Members of a paused job that are not stopped (state T or t) and not dead (Z, X): those still running. */
export function notStopped(members: readonly number[], table: ProcessTable): number[] {
  return members.filter((pid) => {
    const state = table.get(pid)?.state;
    return state !== undefined && !['T', 't', 'Z', 'X', 'x'].includes(state);
  });
}
