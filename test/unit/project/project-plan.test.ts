// The pure decisions of `procd up` / `procd down` (client/project/plan.ts, graph.ts).

import { describe, expect, it } from 'vitest';
import { entryHash, normalizeEntry } from '../../../client/project/entry-params.js';
import { findCycle, startLayers, stopLayers } from '../../../client/project/graph.js';
import { planDown, planUp, type LiveJob, type PlanEntry } from '../../../client/project/plan.js';
import type { ProjectEntry } from '../../../shared/schemas/project-file.js';

const CTX = { project: 'shop', dir: '/srv/shop', fileEnv: {} };
function entry(name: string, raw: ProjectEntry, deps: string[] = []): PlanEntry {
  const normal = normalizeEntry({ ...raw, ...(deps.length ? { after: deps } : {}) }, CTX);
  return { name, hash: entryHash(normal), deps, normal };
}
// db ← api ← worker, api ← web; cron stands alone.
const ENTRIES = [
  entry('db', { command: ['db'] }),
  entry('api', { command: ['api'], env: { PORT: '3000' } }, ['db']),
  entry('worker', { shell: 'w' }, ['api']),
  entry('web', { shell: 'web' }, ['api']),
  entry('cron', { shell: 'c' }),
];
const running = (entries: PlanEntry[]): LiveJob[] => entries.map((e, i) => ({ id: i + 1, entry: e.name, hash: e.hash }));
const actions = (plan: ReturnType<typeof planUp>) => Object.fromEntries(plan.steps.map((s) => [s.entry, s.action]));

describe('planUp', () => {
  it('starts everything when nothing runs, each layer after what it waits for', () => {
    const plan = planUp(ENTRIES, []);
    expect(actions(plan)).toEqual({ db: 'start', api: 'start', worker: 'start', web: 'start', cron: 'start' });
    expect(plan.start).toEqual([['db', 'cron'], ['api'], ['worker', 'web']]);
    expect(plan.stop).toEqual([]);
  });

  it('changes nothing when every entry runs as written (idempotent)', () => {
    const plan = planUp(ENTRIES, running(ENTRIES));
    expect(new Set(Object.values(actions(plan)))).toEqual(new Set(['unchanged']));
    expect(plan.start).toEqual([]);
    expect(plan.stop).toEqual([]);
  });

  it('restarts a changed entry and its dependants only, dependants stopped first, and says what changed', () => {
    const live = running(ENTRIES);
    const changed = ENTRIES.map((e) => (e.name === 'api' ? entry('api', { command: ['api'], env: { PORT: '3001' }, restart: 'always' }, ['db']) : e));
    const plan = planUp(changed, live);
    expect(actions(plan)).toEqual({ db: 'unchanged', cron: 'unchanged', api: 'restart', worker: 'restart', web: 'restart' });
    const api = plan.steps.find((s) => s.entry === 'api');
    expect(api).toMatchObject({ action: 'restart', id: 2, changed: ['env', 'restart'] });
    expect(plan.steps.find((s) => s.entry === 'web')).toMatchObject({ action: 'restart', id: 4, dependency: 'api' });
    expect(plan.stop).toEqual([[{ entry: 'worker', id: 3 }, { entry: 'web', id: 4 }], [{ entry: 'api', id: 2 }]]);
    expect(plan.start).toEqual([['api'], ['worker', 'web']]);
  });

  it('does not run a completed task again unless its entry changed (a second up must not re-run a migration); down leaves it alone', () => {
    const live = running(ENTRIES).map((j) => (j.entry === 'cron' ? { ...j, done: true } : j));
    expect(actions(planUp(ENTRIES, live)).cron).toBe('unchanged');
    const changed = [...ENTRIES.slice(0, 4), entry('cron', { shell: 'c2' })];
    const plan = planUp(changed, live);
    expect(actions(plan).cron).toBe('start');
    expect(plan.stop).toEqual([]);
  });

  it('starts an entry whose job is gone without touching the others', () => {
    const live = running(ENTRIES).filter((j) => j.entry !== 'worker');
    const plan = planUp(ENTRIES, live);
    expect(plan.start).toEqual([['worker']]);
    expect(plan.stop).toEqual([]);
  });

  it('up NAME starts that entry and what it waits for, nothing else', () => {
    const plan = planUp(ENTRIES, [], ['worker']);
    expect(plan.steps.map((s) => s.entry)).toEqual(['db', 'api', 'worker']);
    expect(plan.start).toEqual([['db'], ['api'], ['worker']]);
  });

  it('a job started from a hash this client did not write is restarted with changed unknown', () => {
    const plan = planUp(ENTRIES, [{ id: 9, entry: 'cron', hash: 'something-else' }], ['cron']);
    expect(plan.steps).toEqual([{ entry: 'cron', action: 'restart', id: 9, changed: null }]);
  });

  it('a live job whose entry left the file is left alone and named', () => {
    const plan = planUp(ENTRIES, [...running(ENTRIES), { id: 42, entry: 'gone', hash: 'h' }]);
    expect(plan.undeclared).toEqual([{ id: 42, entry: 'gone', hash: 'h' }]);
    expect(plan.stop).toEqual([]);
  });

  it('the newest live job of an entry is the one compared', () => {
    const cron = ENTRIES.find((e) => e.name === 'cron')!;
    const plan = planUp(ENTRIES, [{ id: 3, entry: 'cron', hash: 'old' }, { id: 7, entry: 'cron', hash: cron.hash }], ['cron']);
    expect(plan.steps).toEqual([{ entry: 'cron', action: 'unchanged', id: 7 }]);
  });
});

describe('planDown', () => {
  it('stops dependants first, layer by layer, every entry in scope (down names them; the daemon knows which are live)', () => {
    expect(planDown(ENTRIES)).toEqual([['worker', 'web', 'cron'], ['api'], ['db']]);
  });

  it('down NAME stops that entry and what waits for it', () => {
    expect(planDown(ENTRIES, ['api'])).toEqual([['worker', 'web'], ['api']]);
    expect(planDown(ENTRIES, ['cron'])).toEqual([['cron']]);
  });

  it('an entry that is not running still keeps its dependants before its dependencies', () => {
    // Stopped by the layers of the live ones alone, worker and db would go together although worker waits (through api) for db.
    expect(planDown(ENTRIES, ['db'])).toEqual([['worker', 'web'], ['api'], ['db']]);
  });
});

describe('the after graph', () => {
  it('finds a cycle and its path', () => {
    expect(findCycle(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']]]))).toEqual(['a', 'b', 'c', 'a']);
    expect(findCycle(new Map([['a', ['b']], ['b', []]]))).toBeNull();
  });
  it('layers for starting and stopping are mirror images', () => {
    const deps = new Map([['a', []], ['b', ['a']], ['c', ['b']]]);
    expect(startLayers(['a', 'b', 'c'], deps)).toEqual([['a'], ['b'], ['c']]);
    expect(stopLayers(['a', 'b', 'c'], deps)).toEqual([['c'], ['b'], ['a']]);
  });
});
