// What `procd wait --for` prints and exits with, from the daemon's answer: one line for what
// happened (met, ended first, timeout), then each job's last lines; 0 / 125 / 124.

import { describe, expect, it } from 'vitest';
import type { WaitResult } from '../../../shared/methods.js';
import { conditionWaitExitCode, describeConditionWait } from '../../../client/cli/wait-for.js';
import { EXIT } from '../../../client/cli/exit-codes.js';
import { completedState, makeJob, runningState } from '../../helpers/job-factory.js';
import { viewOf } from '../../../shared/job.js';

type For = NonNullable<WaitResult['for']>;
const base: For = { outcome: 'met', conditions: ['output=ready'], all: false, fired: [], ended: null, waitedMs: 1500, timeoutMs: 300_000, tails: [] };
const web = viewOf(makeJob({ id: 3, name: 'web', state: runningState() }));

describe('describeConditionWait and its exit code', () => {
  it('met: the condition, the job and what was seen; exit 0', () => {
    const r: WaitResult = { jobs: [web], timedOut: false, for: { ...base, fired: [{ job: 3, name: 'web', condition: 'output=ready', detail: 'server ready', at: 1 }], tails: [{ job: 3, name: 'web', state: 'running', exitCode: null, lines: ['server ready'], truncated: false }] } };
    expect(describeConditionWait(r, 'procd wait')).toEqual(['procd wait: output=ready for job 3 (web): server ready (after 1.5s)', '--- job 3 (web), last 1 line:', '  server ready']);
    expect(conditionWaitExitCode(r)).toBe(EXIT.ok);
  });

  it('a condition about the world names the jobs waited with', () => {
    const r: WaitResult = { jobs: [web], timedOut: false, for: { ...base, conditions: ['port-free=3000'], fired: [{ job: null, name: null, condition: 'port-free=3000', detail: 'nothing listens on 3000', at: 1 }] } };
    expect(describeConditionWait(r, 'procd track')).toEqual(['procd track: port-free=3000: nothing listens on 3000 (job 3 (web) running) (after 1.5s)']);
  });

  it('ended first: how the job ended, before which conditions; exit 125', () => {
    const ended = viewOf(makeJob({ id: 3, name: 'web', state: completedState({ exitCode: 0 }) }));
    const r: WaitResult = { jobs: [ended], timedOut: false, for: { ...base, outcome: 'ended', conditions: ['output=a', 'listen=80'], ended: { job: 3, name: 'web', state: 'completed', exitCode: 0, signal: null, outcome: 'exit' } } };
    expect(describeConditionWait(r, 'procd wait')).toEqual(['procd wait: job 3 (web) completed, exit 0 before output=a or listen=80 held']);
    expect(conditionWaitExitCode(r)).toBe(EXIT.waitEndedFirst);
    expect(EXIT.waitEndedFirst).toBe(125);
  });

  it('timeout: how long, for what, the jobs\' states; exit 124', () => {
    const r: WaitResult = { jobs: [web], timedOut: true, for: { ...base, outcome: 'timeout', all: true, conditions: ['output=a', 'quiet=1000ms'], waitedMs: 300_000 } };
    expect(describeConditionWait(r, 'procd wait')).toEqual(['procd wait: timed out after 5m00s waiting for output=a and quiet=1000ms (job 3 (web) running)']);
    expect(conditionWaitExitCode(r)).toBe(EXIT.waitTimedOut);
  });
});
