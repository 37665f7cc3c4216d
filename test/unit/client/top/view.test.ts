// procd top's order and filter: biggest CPU / memory / elapsed first, state in lifecycle order,
// ties by id; the filter matches id, name, state, tags, flags and command, ignoring case.

import { describe, expect, it } from 'vitest';
import { filterJobs, ownerOf, rowOf, sortJobs } from '../../../../client/cli/top/view.js';
import { completedState, failedState, pausedState, queuedState, T0 } from '../../../helpers/job-factory.js';
import { job, NOW, running } from './fixtures.js';

const MiB = 1 << 20;
const jobs = [
  running(1, 'web', 5, 300 * MiB, 60_000),
  running(2, 'worker', 90, 20 * MiB, 5_000),
  running(3, 'db', 40, 900 * MiB, 600_000),
  job({ id: 4, name: 'build', state: completedState({ endedAt: NOW - 1000, durationMs: 30_000 }) }),
  job({ id: 5, name: 'lint', state: failedState({ endedAt: NOW - 1000 }) }),
  job({ id: 6, name: 'later', state: queuedState({ queuedAt: T0 }) }),
  job({ id: 7, name: 'held', state: pausedState({ startedAt: NOW - 1000, pausedAt: NOW - 500 }) }),
];
const ids = (list: readonly { id: number }[]) => list.map((j) => j.id);

describe('sortJobs', () => {
  it('by id keeps the oldest first', () => {
    expect(ids(sortJobs([...jobs].reverse(), 'id', NOW))).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });
  it('by cpu puts the busiest first and jobs without a reading last, by id', () => {
    expect(ids(sortJobs(jobs, 'cpu', NOW)).slice(0, 3)).toEqual([2, 3, 1]);
    expect(ids(sortJobs(jobs, 'cpu', NOW)).slice(3)).toEqual([4, 5, 6, 7]);
  });
  it('by mem puts the biggest first', () => {
    expect(ids(sortJobs(jobs, 'mem', NOW)).slice(0, 3)).toEqual([3, 1, 2]);
  });
  it('by elapsed puts the longest running first (an ended job counts its duration)', () => {
    expect(ids(sortJobs(jobs, 'elapsed', NOW)).slice(0, 4)).toEqual([3, 1, 4, 2]);
  });
  it('by state: running, paused, queued, then the ended ones', () => {
    expect(ids(sortJobs(jobs, 'state', NOW))).toEqual([1, 2, 3, 7, 6, 5, 4]);
  });
});

describe('filterJobs', () => {
  it('matches name, command, state and id, ignoring case', () => {
    expect(ids(filterJobs(jobs, 'WOR'))).toEqual([2]);
    expect(ids(filterJobs(jobs, '--serve'))).toEqual([1, 2, 3]);
    expect(ids(filterJobs(jobs, 'failed'))).toEqual([5]);
    expect(ids(filterJobs(jobs, '6'))).toEqual([6]);
  });
  it('an empty filter keeps every job', () => {
    expect(filterJobs(jobs, '  ')).toHaveLength(jobs.length);
  });
  it('matches tags and flags', () => {
    const tagged = running(8, 'x', 1, MiB, 1000, { tags: ['frontend'], flags: [{ kind: 'stuck', raisedAt: NOW, detail: 'quiet', severity: 'high', pids: [], data: {} }] });
    expect(ids(filterJobs([...jobs, tagged], 'frontend'))).toEqual([8]);
    expect(ids(filterJobs([...jobs, tagged], 'stuck'))).toEqual([8]);
  });
});

describe('rowOf', () => {
  it('shows CPU, memory, elapsed and marks a high flag as alarming', () => {
    const r = rowOf(running(1, 'web', 42, 300 * MiB, 65_000, { flags: [{ kind: 'stuck', raisedAt: NOW, detail: 'quiet', severity: 'high', pids: [], data: {} }] }), NOW);
    expect(r.cells).toMatchObject({ id: '1', name: 'web', state: 'running', cpu: '42%', mem: '300MiB', flags: 'stuck!' });
    expect(r.cells.elapsed).toMatch(/^1m/);
    expect(r.alarming).toBe(true);
  });
  it('never lets control characters of a name or command reach the terminal', () => {
    const r = rowOf(running(1, 'evil\x1b[2Jname', 1, MiB, 1000, { spec: { command: { kind: 'argv', argv: ['echo', '\x1b]0;pwned\x07'] } } }), NOW);
    expect(r.cells.name).not.toMatch(/\p{Cc}/u);
    expect(r.cells.command).not.toMatch(/\p{Cc}/u);
  });
  it('an ended job has no CPU reading', () => {
    expect(rowOf(jobs[3]!, NOW).cells.cpu).toBe('-');
  });
});

describe('ownerOf', () => {
  it('reads an owner when the daemon sends one, else null', () => {
    expect(ownerOf(jobs[0]!)).toBeNull();
    expect(ownerOf({ ...jobs[0]!, owner: { name: 'agent-7', pid: 3, parentName: null } })).toBe('agent-7');
  });
});
