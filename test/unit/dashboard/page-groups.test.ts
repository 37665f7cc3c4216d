// The groups-and-queues panel's pure parts: queue order, each group's queue, the reason a job
// waits in words, the limit box's text, and which events re-read the groups.

import { describe, expect, it } from 'vitest';
import { groupQueues, parallelChange, queueOrder, queueReason, slotsText, touchesGroups, type GroupRow } from '../../../client/dashboard/assets/groups-model.js';
import type { JobRow } from '../../../client/dashboard/assets/model.js';

const NOW = 1_000_000;
const time = (at: number) => `T${at}`;
const queued = (id: number, extra: { group?: string; priority?: number; queuedAt?: number; standing?: JobRow['standing']; after?: NonNullable<JobRow['spec']>['after']; reason?: JobRow['state']['reason'] } = {}): JobRow => ({
  id,
  name: `job-${id}`,
  state: { kind: 'queued', queuedAt: extra.queuedAt ?? id, reason: extra.reason ?? { kind: 'queue', detail: 'in the queue' } },
  spec: { group: extra.group, priority: extra.priority, after: extra.after },
  standing: extra.standing,
});
const group = (name: string, extra: Partial<GroupRow> = {}): GroupRow => ({ name, parallel: null, paused: false, running: 0, queued: 0, ...extra });

describe('queueOrder', () => {
  it("follows the daemon's place when given, else priority, arrival, id; dependency waiters last", () => {
    const jobs = [
      queued(1, { standing: { waitsFor: 'slot', detail: '', position: 2 } }),
      queued(2, { standing: { waitsFor: 'slot', detail: '', position: 1 } }),
      queued(3, { standing: { waitsFor: 'dependencies', detail: '', position: 0 } }),
      queued(4, { priority: 10, queuedAt: 50 }),
      queued(5, { priority: 10, queuedAt: 40 }),
      queued(6, { priority: -10, queuedAt: 1 }),
    ];
    expect(queueOrder(jobs).map((j) => j.id)).toEqual([2, 1, 5, 4, 3, 6]);
  });
});

describe('groupQueues', () => {
  it('puts each queued job under its group (no group: default), default first, other states left out', () => {
    const jobs: JobRow[] = [queued(1, { group: 'gpu' }), queued(2), { id: 3, name: 'r', state: { kind: 'running' }, spec: { group: 'gpu' } }, queued(4, { group: 'gpu', priority: 5 })];
    const out = groupQueues([group('gpu', { parallel: 1, running: 1, queued: 2 }), group('default')], jobs);
    expect(out.map((g) => [g.group.name, g.queue.map((j) => j.id)])).toEqual([['default', [2]], ['gpu', [4, 1]]]);
  });
});

describe('queueReason', () => {
  it('says plainly why a job waits', () => {
    expect(queueReason(queued(1, { reason: { kind: 'not_before', at: NOW + 5000, detail: 'x' } }), NOW, time)).toBe(`not before T${NOW + 5000}`);
    expect(queueReason(queued(1, { reason: { kind: 'restart', at: NOW + 1000, detail: 'x' } }), NOW, time)).toBe(`restarting at T${NOW + 1000} (backoff)`);
    expect(queueReason(queued(1, { standing: { waitsFor: 'slot', detail: 'group g runs 1 of at most 1', position: 2 } }), NOW, time)).toBe('#2 waiting for a slot — group g runs 1 of at most 1');
    expect(queueReason(queued(1, { standing: { waitsFor: 'paused_group', detail: 'x', position: 1 } }), NOW, time)).toBe('#1 group paused');
    const deps = queued(1, { standing: { waitsFor: 'dependencies', detail: 'waiting for job 4 (build) to complete', position: 0 }, after: [{ job: 4, ref: 'build', condition: 'completed' }, { job: 5, ref: '5', condition: 'started' }] });
    expect(queueReason(deps, NOW, time)).toBe('waiting for after deps: build, 5 (started) — waiting for job 4 (build) to complete');
    expect(queueReason(queued(1), NOW, time)).toBe('in the queue');
    // A time already past says where it stands instead.
    expect(queueReason(queued(1, { reason: { kind: 'not_before', at: NOW - 1, detail: 'x' }, standing: { waitsFor: 'slot', detail: 'd', position: 1 } }), NOW, time)).toBe('#1 waiting for a slot — d');
  });
});

describe('group texts and news', () => {
  it('says the slots, reads the limit box, and re-reads on state news only', () => {
    expect(slotsText(group('g', { parallel: 2, running: 1 }))).toBe('1 of 2 running');
    expect(slotsText(group('g', { running: 3 }))).toBe('3 running (no limit)');
    expect(parallelChange(' 3 ')).toEqual({ parallel: 3 });
    expect(parallelChange('')).toEqual({ parallel: null });
    expect(parallelChange('none')).toEqual({ parallel: null });
    for (const bad of ['0', '-1', '1.5', 'x', '99999999']) expect(parallelChange(bad), bad).toBeNull();
    expect(['job.state', 'job.started', 'subscription.gap', 'reload'].every(touchesGroups)).toBe(true);
    expect(['sample', 'flag.raised', 'job.progress', 'job.listening'].some(touchesGroups)).toBe(false);
  });
});
