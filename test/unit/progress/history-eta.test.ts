// The ETA from history, wired through the tracker's baselineOf (the history store plugs in there):
// a running task that reports no progress gets "about N left" from its command's baseline in
// status and list; without a baseline it has none.

import { describe, expect, it } from 'vitest';
import type { Job, JobId } from '../../../shared/job.js';
import type { Baseline } from '../../../shared/history.js';
import { JobTable } from '../../../daemon/jobs/job-table.js';
import { ProgressTracker } from '../../../daemon/progress/tracker.js';
import type { DaemonContext } from '../../../daemon/handlers/context.js';
import { list } from '../../../daemon/handlers/list.js';
import { status } from '../../../daemon/handlers/status.js';
import { makeJob, runningState } from '../../helpers/job-factory.js';
import { memoryStore, silentLogger } from '../../helpers/stand-ins.js';

function context(baseline: Baseline | null, startedAgoMs: number): DaemonContext {
  const job = makeJob({ id: 1, spec: { command: { kind: 'argv', argv: ['make', 'all'] } }, state: runningState({ startedAt: Date.now() - startedAgoMs }) });
  const table = new JobTable(memoryStore, { jobs: new Map<JobId, Job>([[1, job]]), nextId: 2 });
  const progress = new ProgressTracker(table, silentLogger, { instance: 'i', startedAt: 0 });
  progress.baselineOf = () => baseline;
  const supervisor = { refreshOutput: async (id: JobId) => table.get(id) };
  return { table, progress, supervisor } as unknown as DaemonContext;
}

const BASELINE: Baseline = { signature: '["make","all"]@/', runs: 5, medianMs: 60_000, p90Ms: 80_000 };

describe('ETA from history', () => {
  it('a running task without progress reports gets one from its baseline, in status and list', async () => {
    const ctx = context(BASELINE, 20_000);
    const view = await status(ctx, { job: 1 });
    expect(view.eta?.basis).toBe('history');
    expect(view.eta!.leftMs).toBeGreaterThan(35_000);
    expect(view.eta!.leftMs).toBeLessThanOrEqual(40_000);
    expect(list(ctx, {})[0]?.eta).toMatchObject({ basis: 'history' });
  });

  it('none without a baseline', async () => {
    const ctx = context(null, 20_000);
    expect((await status(ctx, { job: 1 })).eta).toBeUndefined();
    expect(list(ctx, {})[0]?.eta).toBeUndefined();
  });
});
