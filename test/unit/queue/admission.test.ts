// The choice of what starts next, as a pure function: group limits, the global limit, priorities
// with aging, FIFO within a priority, paused groups, resource admission, and dependencies (met,
// pending, failed at once).

import { describe, expect, it } from 'vitest';
import { admit, dependencyVerdict, effectivePriority, type AdmissionInput, type Candidate, type DependencyJob } from '../../../daemon/queue/admission.js';
import type { GroupConfig } from '../../../shared/queue.js';

const NOW = 1_000_000;
const c = (id: number, over: Partial<Candidate> = {}): Candidate => ({ id, group: 'default', priority: 0, queuedAt: NOW - 1000 + id, dependencies: [], ...over });
const group = (name: string, parallel: number | null, paused = false): [string, GroupConfig] => [name, { name, parallel, paused }];
const input = (candidates: Candidate[], over: Partial<AdmissionInput> = {}): AdmissionInput => ({
  candidates,
  running: new Map(),
  groups: new Map(),
  maxRunning: null,
  resourcesShort: null,
  now: NOW,
  agingStepMs: 30_000,
  ...over,
});

describe('admit', () => {
  it('starts at most a group’s parallel limit, highest priority first, first queued first within a priority', () => {
    const jobs = [c(1), c(2, { priority: 10 }), c(3), c(4, { priority: 10 }), c(5)];
    const r = admit(input(jobs, { groups: new Map([group('default', 2)]) }));
    expect(r.start).toEqual([2, 4]);
    expect([...r.waiting].map(([id, s]) => [id, s.waitsFor, s.position])).toEqual([
      [1, 'slot', 1],
      [3, 'slot', 2],
      [5, 'slot', 3],
    ]);
    expect(r.waiting.get(1)?.detail).toBe('group default runs 2 of at most 2');
  });

  it('counts what already runs in the group, and the global limit over all groups', () => {
    const groups = new Map([group('a', 2), group('b', null)]);
    const r = admit(input([c(1, { group: 'a' }), c(2, { group: 'b' }), c(3, { group: 'b' })], { groups, running: new Map([['a', 2], ['b', 1]]), maxRunning: 4 }));
    expect(r.start).toEqual([2]);
    expect(r.waiting.get(1)?.waitsFor).toBe('slot');
    expect(r.waiting.get(3)?.detail).toBe('4 jobs run, at most 4 in all');
  });

  it('ages: a low-priority job overtakes newer high-priority ones once it has waited long enough', () => {
    const step = 1000;
    const low = c(1, { priority: -10, queuedAt: NOW - 20 * step });
    const high = c(2, { priority: 10, queuedAt: NOW });
    expect(effectivePriority(low, NOW, step)).toBe(10);
    // Equal effective priority: the one queued first goes first.
    expect(admit(input([high, low], { groups: new Map([group('default', 1)]), agingStepMs: step })).start).toEqual([1]);
    expect(admit(input([high, { ...low, queuedAt: NOW - 19 * step }], { groups: new Map([group('default', 1)]), agingStepMs: step })).start).toEqual([2]);
  });

  it('starts nothing from a paused group, and nothing while resources are short', () => {
    expect(admit(input([c(1)], { groups: new Map([group('default', null, true)]) })).waiting.get(1)).toMatchObject({ waitsFor: 'paused_group', position: 1 });
    expect(admit(input([c(1)], { resourcesShort: 'available memory 300 MiB < 1 GiB' })).waiting.get(1)).toMatchObject({ waitsFor: 'resources', detail: 'available memory 300 MiB < 1 GiB' });
  });

  it('holds a job whose dependencies are pending, and fails one whose dependency can no longer be met', () => {
    const pending = { ref: 'build', condition: 'completed' as const, verdict: { state: 'pending' as const, why: 'job 3 (build) to complete' } };
    const failed = { ref: 'build', condition: 'completed' as const, verdict: { state: 'failed' as const, why: 'job 3 (build) failed (exit 1)' } };
    const met = { ref: 'db', condition: 'ready' as const, verdict: { state: 'met' as const } };
    const r = admit(input([c(1, { dependencies: [met, pending] }), c(2, { dependencies: [pending, failed] }), c(3, { dependencies: [met] })]));
    expect(r.start).toEqual([3]);
    expect(r.waiting.get(1)).toMatchObject({ waitsFor: 'dependencies', detail: 'waiting for job 3 (build) to complete' });
    expect(r.fail).toEqual([{ id: 2, detail: 'build:completed can no longer be met: job 3 (build) failed (exit 1)' }]);
  });
});

describe('dependencyVerdict', () => {
  const job = (over: Partial<DependencyJob> = {}): DependencyJob => ({ id: 3, name: 'build', everStarted: false, hasReadiness: false, ready: false, ended: null, ...over });
  const exited1 = { completed: false, how: 'failed (exit 1)' };
  it.each<[string, Parameters<typeof dependencyVerdict>[0], DependencyJob | undefined, string]>([
    ['completed: running → pending', 'completed', job({ everStarted: true }), 'pending'],
    ['completed: exit 0 → met', 'completed', job({ everStarted: true, ended: { completed: true, how: 'completed' } }), 'met'],
    ['completed: exit 1 → failed', 'completed', job({ everStarted: true, ended: exited1 }), 'failed'],
    ['ended: exit 1 → met', 'ended', job({ everStarted: true, ended: exited1 }), 'met'],
    ['started: queued → pending', 'started', job(), 'pending'],
    ['started: running → met', 'started', job({ everStarted: true }), 'met'],
    ['started: cancelled before it ran → failed', 'started', job({ ended: { completed: false, how: 'was cancelled' } }), 'failed'],
    ['ready: running, not ready → pending', 'ready', job({ everStarted: true, hasReadiness: true }), 'pending'],
    ['ready: ready → met', 'ready', job({ everStarted: true, hasReadiness: true, ready: true }), 'met'],
    ['ready: no readiness probe, running → met', 'ready', job({ everStarted: true }), 'met'],
    ['ready: ended without becoming ready → failed', 'ready', job({ everStarted: true, hasReadiness: true, ended: exited1 }), 'failed'],
    ['removed → failed', 'completed', undefined, 'failed'],
  ])('%s', (_what, condition, dep, state) => {
    expect(dependencyVerdict(condition, dep, 'build').state).toBe(state);
  });
});
