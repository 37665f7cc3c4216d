// A job stopped for going over a limit ends failed with outcome `limit`, the limit as the detail,
// and 128+N of the signal that ended it — whatever the job did on its way out.

import { describe, expect, it } from 'vitest';
import type { JobState, KillRecord } from '../../../shared/job.js';
import { transition } from '../../../daemon/jobs/transitions.js';

const running: JobState = { kind: 'running', startedAt: 1000, pid: 42, startTicks: 7, shimPid: 41 };
const limitKill = (over: Partial<KillRecord> = {}): KillRecord => ({ reason: 'limit', limit: 'memory', requestedAt: 1500, signal: 'SIGTERM', graceMs: 5000, signalled: [42], forced: [], ...over });

function end(exitCode: number | null, signal: number | null, kill: KillRecord): JobState {
  const r = transition(running, { type: 'exited', at: 2000, exitCode, signal, kill, forced: kill.forced.length > 0 });
  if (!r.ok) throw new Error(r.error);
  return r.state;
}

describe('a limit stop', () => {
  it('killed by the stop signal: failed, outcome limit (memory), exit 143', () => {
    expect(end(null, 15, limitKill())).toMatchObject({ kind: 'failed', outcome: 'limit', outcomeDetail: 'memory', exitCode: 143, signal: { name: 'SIGTERM', number: 15 }, spawnError: null });
  });

  it('forced with SIGKILL after the grace: exit 137, detail kept', () => {
    expect(end(null, 9, limitKill({ limit: 'procs', forced: [42] }))).toMatchObject({ kind: 'failed', outcome: 'limit', outcomeDetail: 'procs', exitCode: 137 });
  });

  it('a job that catches the signal and exits 0 or 3 still failed over its limit, with 128+N of the stop signal', () => {
    expect(end(0, null, limitKill({ limit: 'cpu' }))).toMatchObject({ kind: 'failed', outcome: 'limit', outcomeDetail: 'cpu', exitCode: 143, signal: null });
    expect(end(3, null, limitKill({ limit: 'fds' }))).toMatchObject({ kind: 'failed', outcome: 'limit', outcomeDetail: 'fds', exitCode: 143 });
  });
});
