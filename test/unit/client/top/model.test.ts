// procd top keeps its table current from events alone: a sample moves CPU and memory, a state
// event the state, flags come and go; a job it has not seen is read once (status), a gap in the
// events means one list again; counts per state in lifecycle order.

import { describe, expect, it } from 'vitest';
import type { ProcdEvent } from '../../../../shared/events.js';
import { applyEvent, applyList, stateCounts, type TopJob } from '../../../../client/cli/top/model.js';
import { cpuOf, memOf } from '../../../../client/cli/top/view.js';
import { completedState, killRecord } from '../../../helpers/job-factory.js';
import { job, NOW, running } from './fixtures.js';

const MiB = 1 << 20;
const who = (j: TopJob) => ({ id: j.id, name: j.name, tags: j.tags, state: j.state.kind });
const table = () => new Map<number, TopJob>([[1, running(1, 'web', 5, 10 * MiB, 1000)]]);
const at = { seq: 10, at: NOW };

describe('applyEvent', () => {
  it('a sample updates CPU and memory', () => {
    const jobs = table();
    const web = jobs.get(1)!;
    const effect = applyEvent(jobs, { ...at, kind: 'sample', job: who(web), sample: { at: NOW, cpuPercent: 77, rssBytes: 64 * MiB, mainRssBytes: MiB, processes: 2, threads: 2, fds: 5, states: {} } });
    expect(effect).toEqual({ fetch: [], reload: false, changed: true });
    expect(cpuOf(jobs.get(1)!)).toBe(77);
    expect(memOf(jobs.get(1)!)).toBe(64 * MiB);
  });
  it('an event of a job not seen yet asks for that job (its command, its figures)', () => {
    const jobs = table();
    const stranger = running(7, 'new', 0, 0, 0);
    expect(applyEvent(jobs, { ...at, kind: 'job.started', job: who(stranger), pid: 9 })).toEqual({ fetch: [7], reload: false, changed: false });
    expect(jobs.has(7)).toBe(false);
  });
  it('a removed job leaves the table, and one never seen is not asked for (it is gone)', () => {
    const jobs = table();
    const web = jobs.get(1)!;
    expect(applyEvent(jobs, { ...at, kind: 'job.removed', job: { ...who(web), state: 'completed' } })).toEqual({ fetch: [], reload: false, changed: true });
    expect(jobs.has(1)).toBe(false);
    expect(applyEvent(jobs, { ...at, kind: 'job.removed', job: who(running(7, 'other', 0, 0, 0)) })).toEqual({ fetch: [], reload: false, changed: false });
  });
  it('a state event sets the state; an end clears a pending kill and reads the job once', () => {
    const jobs = table();
    applyEvent(jobs, { ...at, kind: 'job.stopping', job: who(jobs.get(1)!), kill: killRecord() });
    expect(jobs.get(1)!.pendingKill).not.toBeNull();
    const ended = completedState({ endedAt: NOW });
    const effect = applyEvent(jobs, { ...at, kind: 'job.state', job: who(jobs.get(1)!), from: 'running', to: 'completed', state: ended });
    expect(effect.fetch).toEqual([1]);
    expect(jobs.get(1)!.state).toEqual(ended);
    expect(jobs.get(1)!.pendingKill).toBeNull();
  });
  it('flags are raised, replaced by kind and cleared', () => {
    const jobs = table();
    const flag = { kind: 'stuck' as const, raisedAt: NOW, detail: 'quiet 5m', severity: 'medium' as const, pids: [], data: {} };
    applyEvent(jobs, { ...at, kind: 'flag.raised', job: who(jobs.get(1)!), flag });
    applyEvent(jobs, { ...at, kind: 'flag.changed', job: who(jobs.get(1)!), flag: { ...flag, severity: 'high' }, from: 'medium' });
    expect(jobs.get(1)!.flags.map((f) => f.severity)).toEqual(['high']);
    applyEvent(jobs, { ...at, kind: 'flag.cleared', job: who(jobs.get(1)!), flag: { ...flag, clearedAt: NOW } });
    expect(jobs.get(1)!.flags).toEqual([]);
  });
  it('a gap in the events means reading every job again', () => {
    const gap: ProcdEvent = { ...at, kind: 'subscription.gap', from: 3, to: 9, reason: 'evicted' };
    expect(applyEvent(table(), gap)).toMatchObject({ reload: true, note: expect.stringContaining('#3–#9') });
  });
  it('a sample of an ended job changes nothing', () => {
    const jobs = new Map([[2, job({ id: 2, state: completedState() })]]);
    const before = jobs.get(2);
    applyEvent(jobs, { ...at, kind: 'sample', job: who(before!), sample: { at: NOW, cpuPercent: 50, rssBytes: 1, mainRssBytes: 1, processes: 1, threads: 1, fds: 1, states: {} } });
    expect(jobs.get(2)).toBe(before);
  });
});

describe('applyList', () => {
  it('takes every listed job, drops a live one the daemon no longer has, keeps ended ones shown', () => {
    const jobs = new Map<number, TopJob>([
      [1, running(1, 'gone', 1, 1, 1)],
      [2, job({ id: 2, state: completedState() })],
    ]);
    applyList(jobs, [running(3, 'new', 1, 1, 1)]);
    expect([...jobs.keys()].sort()).toEqual([2, 3]);
  });
});

describe('stateCounts', () => {
  it('counts per state in lifecycle order, only states with jobs', () => {
    const counts = stateCounts([job({ id: 1, state: completedState() }), running(2, 'a', 1, 1, 1), running(3, 'b', 1, 1, 1)]);
    expect([...counts]).toEqual([['running', 2], ['completed', 1]]);
  });
});
