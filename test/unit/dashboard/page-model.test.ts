// The dashboard page's pure parts: sorting, filtering, the stats grid's cells, the row actions,
// the recommendations' order, and formatting.

import { describe, expect, it } from 'vitest';
import { formatBytes, formatCpu, formatDuration, label } from '../../../client/dashboard/assets/format.js';
import { actionsFor, byPriority, elapsedMs, filterJobs, sortJobs, statsCells, type JobRow } from '../../../client/dashboard/assets/model.js';

const NOW = 1_000_000;
const job = (id: number, name: string, kind: string, extra: Partial<JobRow> = {}): JobRow => ({
  id,
  name,
  state: { kind, startedAt: NOW - id * 1000, ...(kind === 'running' ? {} : { endedAt: NOW - 500 }) },
  spec: { command: { kind: 'argv', argv: ['sleep', String(id)] } },
  ...extra,
});

const jobs: JobRow[] = [
  job(1, 'web', 'running', { owner: { name: 'alice' }, resources: { last: { cpuPercent: 50, rssBytes: 300 } }, flags: [{ kind: 'stuck' }], ports: [{ port: 8080, protocol: 'tcp', address: '0.0.0.0' }] }),
  job(2, 'Build', 'failed', { owner: { name: 'bob' }, resources: { last: { cpuPercent: 5, rssBytes: 900 } } }),
  job(3, 'api', 'running', { resources: null, flags: [{ kind: 'zombie' }, { kind: 'leftovers' }] }),
];

describe('sortJobs', () => {
  const ids = (key: Parameters<typeof sortJobs>[1]['key'], descending = false) => sortJobs(jobs, { key, descending }, NOW).map((j) => j.id);
  it('sorts by each column both ways, jobs without a value last', () => {
    expect(ids('id')).toEqual([1, 2, 3]);
    expect(ids('id', true)).toEqual([3, 2, 1]);
    expect(ids('name')).toEqual([3, 2, 1]);
    expect(ids('cpu')).toEqual([2, 1, 3]);
    expect(ids('cpu', true)).toEqual([1, 2, 3]);
    expect(ids('memory', true)).toEqual([2, 1, 3]);
    expect(ids('owner')).toEqual([1, 2, 3]);
    expect(ids('state')).toEqual([3, 1, 2]);
    expect(ids('elapsed')).toEqual([1, 2, 3]);
    expect(ids('elapsed', true)).toEqual([3, 2, 1]);
  });
});

describe('filterJobs', () => {
  it('matches every word in name, owner, state, command, flags and ports, case-insensitively', () => {
    const f = (text: string) => filterJobs(jobs, text).map((j) => j.id);
    expect(f('')).toEqual([1, 2, 3]);
    expect(f('build')).toEqual([2]);
    expect(f('running')).toEqual([1, 3]);
    expect(f('running alice')).toEqual([1]);
    expect(f('8080')).toEqual([1]);
    expect(f('zombie')).toEqual([3]);
    expect(f('sleep 2')).toEqual([2]);
    expect(f('nothing-like-it')).toEqual([]);
  });
});

describe('statsCells', () => {
  it("shows the daemon's counts: every state (zero when absent), flags by cell with zombies and leftovers summed", () => {
    const c = statsCells({ states: { running: 2, failed: 1, completed: 40 }, flags: { stuck: 1, zombie: 2, leftovers: 1, time_sink: 0, unhealthy: 3 } });
    expect(c).toEqual({ starting: 0, queued: 0, running: 2, paused: 0, completed: 40, failed: 1, killed: 0, timed_out: 0, lost: 0, time_sink: 0, bottleneck: 0, stuck: 1, leftovers: 3 });
  });
});

describe('filterJobs by project', () => {
  const declared = (project: string) => ({ spec: { declared: { project, entry: 'x', file: `/p/${project}/procd.yaml` } } });
  const some = [job(1, 'shop/db', 'running', declared('shop')), job(2, 'shopping', 'running'), job(3, 'shop2/db', 'running', declared('shop2')), job(4, 'train', 'running', { spec: { group: 'gpu' } })];
  it('keeps exactly one project with project:NAME; plain words also match project and group', () => {
    expect(filterJobs(some, 'project:shop').map((j) => j.id)).toEqual([1]);
    expect(filterJobs(some, 'project:SHOP2').map((j) => j.id)).toEqual([3]);
    expect(filterJobs(some, 'project:none').map((j) => j.id)).toEqual([]);
    expect(filterJobs(some, 'shop').map((j) => j.id)).toEqual([1, 2, 3]);
    expect(filterJobs(some, 'gpu').map((j) => j.id)).toEqual([4]);
  });
});

describe('actionsFor', () => {
  it('offers kill/pause to running, resume to paused, restart to all, nothing when read-only', () => {
    expect(actionsFor(job(1, 'a', 'running'), false)).toEqual(['kill', 'restart', 'pause']);
    expect(actionsFor(job(1, 'a', 'paused'), false)).toEqual(['kill', 'restart', 'resume']);
    expect(actionsFor(job(1, 'a', 'failed'), false)).toEqual(['restart']);
    expect(actionsFor(job(1, 'a', 'running'), true)).toEqual([]);
  });
});

describe('formatting', () => {
  it('formats durations, bytes, CPU and labels', () => {
    expect(formatDuration(999)).toBe('0s');
    expect(formatDuration(61_000)).toBe('1m01s');
    expect(formatDuration(3_600_000 + 120_000)).toBe('1h02m');
    expect(formatDuration(50 * 3_600_000)).toBe('2d02h');
    expect(formatDuration(null)).toBe('');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(300 * 1024 * 1024)).toBe('300 MiB');
    expect(formatCpu(3.14159)).toBe('3.1%');
    expect(formatCpu(123.4)).toBe('123%');
    expect(formatCpu(null)).toBe('');
    expect(label('timed_out')).toBe('timed out');
    expect(elapsedMs(job(2, 'x', 'failed'), NOW)).toBe(1500);
    expect(elapsedMs({ id: 9, name: 'q', state: { kind: 'queued' } }, NOW)).toBeNull();
  });
});

describe('byPriority', () => {
  it('puts high before medium before low, keeping the given order within one', () => {
    const recs = [{ priority: 'low', n: 1 }, { priority: 'high', n: 2 }, { priority: 'medium', n: 3 }, { priority: 'high', n: 4 }];
    expect(byPriority(recs).map((r) => r.n)).toEqual([2, 4, 3, 1]);
  });
});
