// The kill procedure reads the process table through the snapshots it is given (the daemon gives
// the monitor's), so the environment markers the monitor has read are not read again by a kill.

import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { Deadlines } from '../../../daemon/jobs/deadlines.js';
import { EndWatcher } from '../../../daemon/jobs/end-watcher.js';
import { JobTable } from '../../../daemon/jobs/job-table.js';
import { Stopper } from '../../../daemon/jobs/stopper.js';
import type { SupervisorContext } from '../../../daemon/jobs/supervisor-context.js';
import { ProcessSnapshots } from '../../../daemon/monitor/job-processes.js';
import { makeSpec } from '../../helpers/job-factory.js';
import { memoryStore } from '../../helpers/stand-ins.js';
import { FakeClock } from './fake-clock.js';

describe('the stopper and the monitor share one process-table reader', () => {
  it('a signal to a job takes its snapshot from the snapshots in the options', async () => {
    const shared = new ProcessSnapshots('test-instance');
    const table = new JobTable(memoryStore, { jobs: new Map(), nextId: 1 });
    const ctx: SupervisorContext = {
      table,
      store: memoryStore,
      logger: pino({ level: 'silent' }),
      opts: { jobsDir: '/nonexistent', instance: 'test-instance', cgroupRoot: null, defaultGraceMs: 1000, defaultMaxOutputBytes: 4096, defaultStuckAfterMs: 0, pollMs: 1000, snapshots: shared },
      deadlines: new Deadlines(new FakeClock()),
      persistQuietly: async () => undefined,
    };
    const stopper = new Stopper(ctx, new EndWatcher(ctx));
    const { id } = table.create({ name: 't', description: null, tags: [], spec: makeSpec({}), dirFor: () => '/nonexistent/1' });
    table.apply(id, { type: 'launch', at: 1 });
    // The test process itself as the job's main process: the daemon (selfPid) is never a member, so nothing is signalled.
    table.apply(id, { type: 'started', at: 1, pid: process.pid, startTicks: null, shimPid: null });
    const sent = await stopper.signal(id, 'SIGCONT');
    expect(sent.signalled).toEqual([]);
    expect(shared.taken).toBe(1);
  });
});
