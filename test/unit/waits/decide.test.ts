// The pure decisions of a wait for conditions: which timeout applies, what one condition found,
// how several combine (any / all), and the wait as a whole (met, ended first, timeout, waiting).

import { describe, expect, it } from 'vitest';
import { parseCondition } from '../../../shared/condition-parser.js';
import { WAIT_CONDITIONS } from '../../../shared/conditions.js';
import { DEFAULT_CONDITION_WAIT_MS } from '../../../shared/methods-wait.js';
import { combine, conditionFound, decideWait, effectiveTimeoutMs, quietHolds, tableConditionHolds, type Found } from '../../../daemon/waits/decide.js';
import { completedState, makeJob, makeOutput, runningState } from '../../helpers/job-factory.js';

const c = (text: string) => parseCondition(text, WAIT_CONDITIONS);

describe('effectiveTimeoutMs', () => {
  it('a plain wait, or a wait for exit only, has no default timeout (a 20-minute build is not cut)', () => {
    expect(effectiveTimeoutMs(undefined, undefined)).toBeNull();
    expect(effectiveTimeoutMs([c('exit')], undefined)).toBeNull();
  });
  it('any other condition gets the default of 5 minutes; an asked timeout wins, null meaning none', () => {
    expect(DEFAULT_CONDITION_WAIT_MS).toBe(300_000);
    expect(effectiveTimeoutMs([c('exit'), c('output=ready')], undefined)).toBe(300_000);
    expect(effectiveTimeoutMs([c('port-free=3000')], 10_000)).toBe(10_000);
    expect(effectiveTimeoutMs([c('port-free=3000')], null)).toBeNull();
  });
});

describe('one condition', () => {
  it('table conditions: exit once ended, state while in it, ready once the probe passed in this run', () => {
    const running = makeJob({ state: runningState() });
    const ended = makeJob({ state: completedState() });
    expect(tableConditionHolds(c('exit'), running)).toBe(false);
    expect(tableConditionHolds(c('exit'), ended)).toBe(true);
    expect(tableConditionHolds(c('state=running'), running)).toBe(true);
    expect(tableConditionHolds(c('state=running'), ended)).toBe(false);
    expect(tableConditionHolds(c('ready'), running)).toBe(false);
    expect(tableConditionHolds(c('ready'), makeJob({ state: runningState(), probes: { ready: { at: 1, tookMs: 1 }, unhealthySince: null } }))).toBe(true);
  });

  it('quiet: a live job that wrote nothing for D, counted from its run start when it never wrote', () => {
    const job = (startedAt: number, lastOutputAt: number | null) => makeJob({ state: runningState({ startedAt }), output: makeOutput({ lastOutputAt }) });
    expect(quietHolds(1000, job(0, 500), 1499)).toBe(false);
    expect(quietHolds(1000, job(0, 500), 1500)).toBe(true);
    expect(quietHolds(1000, job(800, null), 1500)).toBe(false);
    // Output of an earlier moment than the run's start does not make the run quiet for longer.
    expect(quietHolds(1000, job(800, 100), 1800)).toBe(true);
    expect(quietHolds(1000, makeJob({ state: completedState() }), 10_000)).toBe(false);
  });

  it('is met once seen; impossible once its job is done (checked a last time), else pending', () => {
    expect(conditionFound(true, true)).toBe('met');
    expect(conditionFound(false, false)).toBe('pending');
    expect(conditionFound(false, true)).toBe('impossible');
  });
});

describe('combine', () => {
  const cases: [Found[], boolean, Found][] = [
    [['pending', 'met'], false, 'met'],
    [['impossible', 'pending'], false, 'pending'],
    [['impossible', 'impossible'], false, 'impossible'],
    [['met', 'pending'], true, 'pending'],
    [['met', 'met'], true, 'met'],
    [['met', 'impossible'], true, 'impossible'],
  ];
  it.each(cases)('%j with all=%s is %s', (found, all, expected) => {
    expect(combine(found, all)).toBe(expected);
  });
});

describe('decideWait', () => {
  const base = { all: false, world: [] as Found[], now: 1000, deadline: null as number | null };
  it('met only when the conditions hold for each job', () => {
    expect(decideWait({ ...base, jobs: [{ id: 1, found: ['met'] }, { id: 2, found: ['pending'] }] })).toEqual({ kind: 'waiting' });
    expect(decideWait({ ...base, jobs: [{ id: 1, found: ['met'] }, { id: 2, found: ['met'] }] })).toEqual({ kind: 'met' });
  });
  it('ended when one job can no longer meet them, naming it', () => {
    expect(decideWait({ ...base, jobs: [{ id: 1, found: ['met'] }, { id: 2, found: ['impossible'] }] })).toEqual({ kind: 'ended', job: 2 });
  });
  it('timeout at the deadline, not before; without jobs the world conditions decide', () => {
    expect(decideWait({ ...base, jobs: [], world: ['pending'], deadline: 1001 })).toEqual({ kind: 'waiting' });
    expect(decideWait({ ...base, jobs: [], world: ['pending'], deadline: 1000 })).toEqual({ kind: 'timeout' });
    expect(decideWait({ ...base, jobs: [], world: ['met'], deadline: 1000 })).toEqual({ kind: 'met' });
  });
});
