// How the queue reads: ls --tree puts dependants under their dependencies; a waiting job's place
// and reason in ls's STATE and status's rows.

import { describe, expect, it } from 'vitest';
import { queueRows, queueSuffix, treeOrder } from '../../../client/cli/format-queue.js';
import { renderLs, type LsLayout } from '../../../client/cli/ls-table.js';
import { summarize, type Job } from '../../../shared/job.js';
import type { Dependency } from '../../../shared/queue.js';
import { T0, completedState, makeJob, queuedState } from '../../helpers/job-factory.js';

const after = (job: number, ref: string, condition: Dependency['condition'] = 'completed'): Dependency => ({ job, ref, condition });
const layout: LsLayout = { now: T0 + 60_000, width: 100, tty: false, hiddenFinished: 0, paint: (_c, t) => t, tree: true };

describe('ls --tree', () => {
  it('shows each dependant under the first listed job it depends on, by depth, the rest in order', () => {
    const jobs: Job[] = [
      makeJob({ id: 1, name: 'build', state: completedState() }),
      makeJob({ id: 2, name: 'lint', state: completedState() }),
      makeJob({ id: 3, name: 'test', spec: { after: [after(1, 'build')] }, state: queuedState({ reason: { kind: 'queue', detail: 'in the queue' } }) }),
      makeJob({ id: 4, name: 'ship', spec: { after: [after(3, 'test'), after(2, 'lint')] }, state: queuedState({ reason: { kind: 'queue', detail: 'in the queue' } }) }),
      makeJob({ id: 5, name: 'docs', spec: { after: [after(99, 'gone')] }, state: completedState() }),
    ];
    expect(treeOrder(jobs).map((t) => [t.job.name, t.depth])).toEqual([
      ['build', 0],
      ['test', 1],
      ['ship', 2],
      ['lint', 0],
      ['docs', 0],
    ]);
    const [header, ...rows] = renderLs(jobs.map((j) => summarize(j, T0)), layout);
    const at = header!.indexOf('NAME');
    expect(rows.map((l) => l.slice(at, at + 10).trimEnd())).toEqual(['build', '└ test', '  └ ship', 'lint', 'docs']);
  });
});

describe('a waiting job', () => {
  it('says its place and what it waits for', () => {
    const job = makeJob({ id: 7, spec: { group: 'gpu', priority: 10, after: [after(3, 'build')] }, state: queuedState({ reason: { kind: 'queue', detail: 'in the queue' } }), standing: { waitsFor: 'slot', detail: 'group gpu runs 2 of at most 2', position: 3 } });
    expect(queueSuffix(job)).toBe(' #3 (slot)');
    expect(queueRows(job)).toEqual([
      ['group', 'gpu'],
      ['priority', 'high'],
      ['after', 'job 3 (build): completed'],
      ['waits for', 'group gpu runs 2 of at most 2; number 3 in group gpu'],
    ]);
    expect(queueSuffix({ ...job, standing: { waitsFor: 'dependencies', detail: 'waiting for job 3 (build) to complete', position: 0 } })).toBe(' (after)');
  });
});
