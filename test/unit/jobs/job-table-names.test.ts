// A name means one live job: the table refuses a second live job with a name, resolves a name to
// its live job first, and hands out free default names.

import { describe, expect, it } from 'vitest';
import { JobTable, type NewJob } from '../../../daemon/jobs/job-table.js';
import { checkJob } from '../../../daemon/store/records.js';
import { ErrorCode, ProcdError } from '../../../shared/errors.js';
import type { Job, JobId } from '../../../shared/job.js';
import { completedState, makeJob, makeSpec, runningState } from '../../helpers/job-factory.js';
import { memoryStore } from '../../helpers/stand-ins.js';

function tableOf(jobs: Job[]): JobTable {
  return new JobTable(memoryStore, { jobs: new Map<JobId, Job>(jobs.map((j) => [j.id, j])), nextId: jobs.length + 1 });
}

const newJob = (name: string): NewJob => ({ name, description: null, tags: [], spec: makeSpec(), dirFor: () => '/tmp/none' });

describe('job names', () => {
  it('refuses a second live job with a name (NameInUse naming the live job), and allows it once that one ended', () => {
    const table = tableOf([]);
    const first = table.create(newJob('web'));
    let refused: unknown;
    try {
      table.create(newJob('web'));
    } catch (err) {
      refused = err;
    }
    expect(refused).toBeInstanceOf(ProcdError);
    expect(refused).toMatchObject({ code: ErrorCode.NameInUse, data: { name: 'web', id: first.id, state: 'starting' } });
    expect((refused as ProcdError).message).toMatch(/in use by job 1/);
    expect(table.size).toBe(1);
    table.apply(first.id, { type: 'spawn_failed', at: 1, error: { code: 'ENOENT', message: 'no' } });
    expect(table.create(newJob('web')).id).toBe(2);
  });

  it('resolves a name to its live job first, else to the most recent finished one', () => {
    const table = tableOf([
      makeJob({ id: 1, name: 'web', state: runningState({ pid: 100 }) }),
      makeJob({ id: 2, name: 'web', state: completedState() }),
      makeJob({ id: 3, name: 'api', state: completedState() }),
      makeJob({ id: 4, name: 'api', state: completedState() }),
    ]);
    expect(table.resolve('web').id).toBe(1);
    expect(table.resolve('api').id).toBe(4);
  });

  it('gives a default name the first free suffix while the plain one is live', () => {
    const table = tableOf([makeJob({ id: 1, name: 'sleep', state: runningState({ pid: 100 }) }), makeJob({ id: 2, name: 'sleep-2', state: completedState() })]);
    expect(table.freeName('sleep')).toBe('sleep-2');
    expect(table.freeName('node')).toBe('node');
  });

  it('records written before ":" and "=" were refused keep loading with their names', () => {
    const loaded = checkJob(makeJob({ id: 7, name: 'web:ready', state: completedState() }));
    expect(loaded).toMatchObject({ ok: true, value: { name: 'web:ready' } });
    expect(tableOf([makeJob({ id: 1, name: 'a=b', state: completedState() })]).resolve('a=b').id).toBe(1);
  });
});
