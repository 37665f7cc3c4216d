// The queue's acting layer over a real job table with a fake clock: what must wait, what it
// launches (through the callback the supervisor gives it), a dependant failed at once with the
// reason, each waiting job's standing, groups kept on disk and refused removal while in use.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it, vi } from 'vitest';
import { JobTable } from '../../../daemon/jobs/job-table.js';
import { GroupStore } from '../../../daemon/queue/group-store.js';
import { JobQueue } from '../../../daemon/queue/job-queue.js';
import { ErrorCode } from '../../../shared/errors.js';
import type { Job, JobId } from '../../../shared/job.js';
import { FakeClock } from '../jobs/fake-clock.js';
import { completedState, failedState, makeJob, pausedState, queuedState, runningState } from '../../helpers/job-factory.js';
import { memoryStore, silentLogger } from '../../helpers/stand-ins.js';

const inQueue = (over: Partial<Job> = {}) => ({ state: queuedState({ queuedAt: 1000, reason: { kind: 'queue' as const, detail: 'in the queue' } }), ...over });

function setup(jobs: Job[], dir = mkdtempSync(join(tmpdir(), 'procd-queue-')), maxRunning: number | null = null) {
  const table = new JobTable(memoryStore, { jobs: new Map<JobId, Job>(jobs.map((j) => [j.id, j])), nextId: 100 });
  const launched: number[] = [];
  const queue = new JobQueue(table, (job) => launched.push(job.id), new GroupStore(dir), { maxRunning, agingStepMs: 30_000, resourcesShort: null }, new FakeClock(2000), silentLogger);
  return { table, queue, launched, dir };
}

describe('JobQueue', () => {
  it('runs no admission pass for changes while no job is queued, and one when a job joins the queue', async () => {
    const t = setup([makeJob({ id: 1, state: runningState() }), makeJob({ id: 2, state: runningState() })]);
    const pass = vi.spyOn(t.queue, 'admitNow');
    t.table.update(1, () => ({ flags: [] }));
    t.table.update(2, () => ({ flags: [] }));
    await nextTurn();
    expect(pass).not.toHaveBeenCalled();
    expect(t.queue.mustQueue({})).toBe(false);
    t.table.create({ name: 'waits', description: null, tags: [], spec: makeJob().spec, dirFor: (id) => `/tmp/none/${id}`, queued: { kind: 'queue', detail: 'in the queue' } });
    expect(t.queue.mustQueue({})).toBe(true);
    await nextTurn();
    expect(pass).toHaveBeenCalledTimes(1);
  });

  it('launches what admission picks, fails a dependant whose dependency failed, and records the others’ standing', () => {
    const t = setup([
      makeJob({ id: 1, spec: { group: 'g' }, state: runningState() }),
      makeJob({ id: 2, spec: { group: 'g' }, ...inQueue() }),
      makeJob({ id: 3, spec: { group: 'g' }, ...inQueue() }),
      makeJob({ id: 4, name: 'build', state: failedState() }),
      makeJob({ id: 5, spec: { after: [{ job: 4, ref: 'build', condition: 'completed' }] }, ...inQueue() }),
      makeJob({ id: 6, spec: { after: [{ job: 7, ref: 'done', condition: 'completed' }] }, ...inQueue() }),
      makeJob({ id: 7, name: 'done', state: completedState() }),
    ]);
    t.queue.setGroup('g', { parallel: 2 });
    t.queue.admitNow();
    expect(t.launched).toEqual([2, 6]);
    expect(t.table.get(3)?.standing).toEqual({ waitsFor: 'slot', detail: 'group g runs 2 of at most 2', position: 1 });
    expect(t.table.get(5)?.state).toMatchObject({ kind: 'failed', outcome: 'dependency_failed', outcomeDetail: expect.stringContaining('job 4 (build) failed') });
  });

  it('a paused job keeps its slot; an adopted process takes none, under a group limit or PROCD_MAX_RUNNING', () => {
    const jobs = () => [
      makeJob({ id: 1, spec: { group: 'g' }, state: pausedState() }),
      makeJob({ id: 2, spec: { group: 'g', command: { kind: 'adopted', argv: ['sleep', '9'] } }, state: runningState() }),
      makeJob({ id: 3, spec: { group: 'g' }, ...inQueue() }),
      makeJob({ id: 4, spec: { group: 'g' }, ...inQueue() }),
    ];
    const byGroup = setup(jobs());
    byGroup.queue.setGroup('g', { parallel: 2 });
    byGroup.queue.admitNow();
    expect(byGroup.launched).toEqual([3]);
    expect(byGroup.queue.listGroups().find((g) => g.name === 'g')).toMatchObject({ running: 1 });
    const global = setup(jobs(), undefined, 2);
    global.queue.admitNow();
    expect(global.launched).toEqual([3]);
  });

  it('makes a new job wait when its group is limited or has jobs waiting, or it has dependencies; else it starts at once', () => {
    const t = setup([makeJob({ id: 1, spec: { group: 'busy' }, ...inQueue() })]);
    expect(t.queue.mustQueue({})).toBe(false);
    expect(t.queue.mustQueue({ group: 'busy' })).toBe(true);
    expect(t.queue.mustQueue({ after: [{ job: 1, ref: '1', condition: 'started' }] })).toBe(true);
    t.queue.setGroup('gpu', { parallel: 4 });
    expect(t.queue.mustQueue({ group: 'gpu' })).toBe(true);
  });

  it('keeps groups on disk, lists counts, and refuses to remove a group jobs wait in', () => {
    const t = setup([makeJob({ id: 1, spec: { group: 'g' }, ...inQueue() }), makeJob({ id: 2, spec: { group: 'g' }, state: runningState() })]);
    t.queue.setGroup('g', { parallel: 1, paused: true });
    expect(t.queue.listGroups()).toEqual([
      { name: 'default', parallel: null, paused: false, running: 0, queued: 0 },
      { name: 'g', parallel: 1, paused: true, running: 1, queued: 1 },
    ]);
    expect(() => t.queue.removeGroup('g')).toThrow(expect.objectContaining({ code: ErrorCode.GroupInUse }));
    expect(() => t.queue.removeGroup('nope')).toThrow(expect.objectContaining({ code: ErrorCode.GroupNotFound }));
    // A new queue on the same directory (the next daemon) has the settings.
    expect(setup([], t.dir).queue.listGroups().find((g) => g.name === 'g')).toMatchObject({ parallel: 1, paused: true });
  });

  it('a dependency met once stays met: the dependant waiting for a slot does not fail when that job is removed or runs again', () => {
    const t = setup([
      makeJob({ id: 1, spec: { group: 'g' }, state: runningState() }),
      makeJob({ id: 2, name: 'build', state: completedState() }),
      makeJob({ id: 3, spec: { group: 'g', after: [{ job: 2, ref: 'build', condition: 'completed' }] }, ...inQueue() }),
    ]);
    t.queue.setGroup('g', { parallel: 1 });
    t.queue.admitNow();
    expect(t.table.get(3)).toMatchObject({ afterMet: [0], standing: { waitsFor: 'slot' } });
    t.table.remove(2);
    t.queue.admitNow();
    expect(t.table.get(3)?.state.kind).toBe('queued');
    expect(t.table.get(3)?.standing).toMatchObject({ waitsFor: 'slot' });
    // Without the record it would fail: the same job with no memory of the met dependency.
    const fresh = setup([makeJob({ id: 3, spec: { after: [{ job: 2, ref: 'build', condition: 'completed' }] }, ...inQueue() })]);
    fresh.queue.admitNow();
    expect(fresh.table.get(3)?.state).toMatchObject({ kind: 'failed', outcome: 'dependency_failed' });
  });
});
