// The projects view's pure part: a procd.yaml project's jobs gathered by project, one row per
// entry (its live job, else its newest), dependencies by entry name, a summary.

import { describe, expect, it } from 'vitest';
import type { JobRow } from '../../../client/dashboard/assets/model.js';
import { projectViews } from '../../../client/dashboard/assets/projects-model.js';

const entry = (id: number, project: string, name: string, kind: string, after: NonNullable<JobRow['spec']>['after'] = []): JobRow => ({
  id,
  name: `${project}/${name}`,
  state: { kind },
  spec: { declared: { project, entry: name, file: `/src/${project}/procd.yaml` }, after },
});

describe('projectViews', () => {
  it("gathers each project's entries, its live job over older runs, dependencies by entry name", () => {
    const jobs: JobRow[] = [
      entry(1, 'shop', 'db', 'running'),
      entry(2, 'shop', 'api', 'killed'),
      entry(3, 'shop', 'worker', 'queued', [{ job: 5, ref: 'shop/api', condition: 'started' }, { job: 9, ref: 'other', condition: 'completed' }]),
      entry(5, 'shop', 'api', 'running', [{ job: 1, ref: 'shop/db', condition: 'started' }]),
      entry(4, 'blog', 'web', 'completed'),
      { id: 6, name: 'loose', state: { kind: 'running' } },
    ];
    const views = projectViews(jobs);
    expect(views.map((v) => v.name)).toEqual(['blog', 'shop']);
    const shop = views[1]!;
    expect(shop.file).toBe('/src/shop/procd.yaml');
    expect(shop.entries.map((e) => [e.entry, e.job.id, e.after])).toEqual([
      ['db', 1, []],
      ['worker', 3, ['api (started)', 'other']],
      ['api', 5, ['db (started)']],
    ]);
    expect(shop.summary).toBe('3 entries: 2 running, 1 queued');
    expect(views[0]!.summary).toBe('1 entry: 1 completed');
  });

  it('keeps the newest finished job of an entry when none is live, and is empty without projects', () => {
    const views = projectViews([entry(7, 'p', 'a', 'failed'), entry(8, 'p', 'a', 'completed'), entry(3, 'p', 'a', 'killed')]);
    expect(views[0]!.entries.map((e) => e.job.id)).toEqual([8]);
    expect(projectViews([{ id: 1, name: 'x', state: { kind: 'running' } }])).toEqual([]);
  });
});
