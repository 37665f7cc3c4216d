// Progress is per run: the next run (its restart policy, `procd restart`) starts without the last
// run's progress, so its ETA and stuck clock start over.

import { describe, expect, it } from 'vitest';
import { defaultRestartSpec } from '../../../shared/restart.js';
import { applyReport } from '../../../shared/progress.js';
import { afterRunEnd, nextRunFields } from '../../../daemon/jobs/run-end.js';
import { failedState, makeJob, T0 } from '../../helpers/job-factory.js';

const { progress } = applyReport(undefined, { done: 80, total: null, phase: 'link' }, 'cli', T0 + 500, 500);
const ended = failedState({ exitCode: 1, startedAt: T0, endedAt: T0 + 1000 });

describe('the next run', () => {
  it('starts without the last run’s progress (restart policy)', () => {
    const job = makeJob({ dir: '/h/jobs/1', progress, spec: { restart: defaultRestartSpec('on-failure') } });
    const next = { ...job, ...afterRunEnd(job, ended, T0 + 1000, () => 0.5)! };
    expect(next.progress).toBeUndefined();
    expect(JSON.parse(JSON.stringify(next))).not.toHaveProperty('progress');
  });

  it('starts without it when restarted by hand, and the ended run keeps it until then', () => {
    const job = makeJob({ dir: '/h/jobs/1', progress, state: ended });
    expect(job.progress?.percent).toBe(80);
    expect({ ...job, ...nextRunFields(job, ended, 'manual_restart', { restartTimes: [], quickFailures: 0 }) }.progress).toBeUndefined();
  });
});
