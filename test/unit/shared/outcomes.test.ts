// The table of outcomes (shared/outcomes.ts) is the one source: every end the transition function
// produces has an outcome whose row allows that state and whose exit-code rule holds, and the
// protocol docs list every row.

import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { transition, type JobEvent } from '../../../daemon/jobs/transitions.js';
import { isTerminal, type JobState, type KillRecord } from '../../../shared/job.js';
import { OUTCOME_KINDS, OUTCOMES } from '../../../shared/outcomes.js';
import { parseSignal } from '../../../shared/signals.js';

const running: JobState = { kind: 'running', startedAt: 1000, pid: 42, startTicks: 7, shimPid: 41 };
const queued: JobState = { kind: 'queued', queuedAt: 1, reason: { kind: 'not_before', at: 100, detail: 'x' } };
const kill = (reason: KillRecord['reason'], signal = 'SIGTERM'): KillRecord => ({ reason, requestedAt: 1500, signal, graceMs: 5000, signalled: [42], forced: [] });
const exited = (exitCode: number | null, signal: number | null, k: KillRecord | null = null): JobEvent => ({ type: 'exited', at: 3000, exitCode, signal, kill: k, forced: false });

/** Every way a job ends today, from the state it ends in. */
const ENDINGS: [string, JobState, JobEvent][] = [
  ['exited 0', running, exited(0, null)],
  ['exited 3', running, exited(3, null)],
  ['a signal from outside', running, exited(null, 9)],
  ["the kernel's OOM killer (seen in the job's cgroup)", running, { ...exited(null, 9), oomKilled: true } as JobEvent],
  ['procd kill', running, exited(null, 15, kill('user'))],
  ['procd kill with the job’s own SIGINT, caught, exit 0', running, exited(0, null, kill('user', 'SIGINT'))],
  ['daemon stop', running, exited(null, 15, kill('shutdown'))],
  ['--timeout', running, exited(null, 15, kill('timeout'))],
  ['could not start', { kind: 'starting', since: 1 }, { type: 'spawn_failed', at: 5, error: { code: 'ENOENT', message: 'x' } }],
  ['stopped while queued', queued, { type: 'cancel', at: 5, kill: kill('user') }],
  ['vanished', running, { type: 'lost', at: 3000, reason: 'gone' }],
  ['released', running, { type: 'release', at: 3000 }],
];

describe('the table of outcomes', () => {
  for (const [what, from, event] of ENDINGS) {
    it(`agrees with the state machine: ${what}`, () => {
      const r = transition(from, event);
      if (!r.ok || !isTerminal(r.state)) throw new Error(`${what}: no end (${r.ok ? r.state.kind : r.error})`);
      const s = r.state;
      const row = OUTCOMES[s.outcome];
      expect(row.states).toContain(s.kind);
      if (row.exitCode === 'null') expect([s.exitCode, s.signal]).toEqual([null, null]);
      if (row.exitCode === 'own' && event.type === 'exited') expect(s.exitCode).toBe(event.exitCode);
      if (row.exitCode === '128+signal' && event.type === 'exited') {
        const stop = s.signal ?? parseSignal(event.kill?.signal ?? '');
        expect(s.exitCode).toBe(128 + stop!.number);
      }
    });
  }

  it("an OOM kill is a failure (oom, 137); the same SIGKILL without one is a signal from outside, and procd's own kill stays a kill", () => {
    const oom = transition(running, { ...exited(null, 9), oomKilled: true } as JobEvent);
    expect(oom.ok && oom.state).toMatchObject({ kind: 'failed', outcome: 'oom', exitCode: 137, signal: { name: 'SIGKILL' } });
    const outside = transition(running, exited(null, 9));
    expect(outside.ok && outside.state).toMatchObject({ kind: 'killed', outcome: 'signal', exitCode: 137 });
    const user = transition(running, { ...exited(null, 9, kill('user', 'SIGKILL')), oomKilled: true } as JobEvent);
    expect(user.ok && user.state).toMatchObject({ kind: 'killed', outcome: 'signal' });
  });

  it("keeps its order, new outcomes last: the history's columns store an outcome as its index", () => {
    expect(OUTCOME_KINDS.slice(0, 12)).toEqual(['exit', 'spawn_error', 'signal', 'timeout', 'cancelled', 'limit', 'unhealthy', 'restarts_exhausted', 'dependency_failed', 'vanished', 'released', 'oom']);
  });

  it('is in the protocol docs, every row', () => {
    const doc = readFileSync(join(resolve(import.meta.dirname, '../../..'), 'docs/protocol.md'), 'utf8');
    const section = doc.slice(doc.indexOf('## Outcomes'), doc.indexOf('## Errors'));
    for (const kind of OUTCOME_KINDS) expect(section).toContain(`| \`${kind}\` | ${OUTCOMES[kind].states.join(', ')} |`);
  });
});
