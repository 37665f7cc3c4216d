// The probe runner as the daemon runs it: real checkers, the system clock, the job's live
// processes from a process-table snapshot shared by the checks of one moment (100 `listen` probes
// due together read /proc once), and liveness failures stopping the job through the supervisor.

import type { Job } from '../../shared/job.js';
import { Deadlines } from '../jobs/deadlines.js';
import type { JobTable } from '../jobs/job-table.js';
import type { Supervisor } from '../jobs/supervisor.js';
import type { Logger } from '../logger.js';
import { liveOnly } from '../monitor/queries.js';
import { membersOf, type ProcessSnapshot, type ProcessSnapshots } from '../monitor/job-processes.js';
import { createCheck } from './checks/index.js';
import { ProbeRunner } from './probe-runner.js';

/** A snapshot younger than this answers a `listen` check; older, a new one is read. */
const SNAPSHOT_REUSE_MS = 250;

export function startProbes(table: JobTable, supervisor: Supervisor, snapshots: ProcessSnapshots, logger: Logger): ProbeRunner {
  const recent = recentSnapshots(snapshots);
  const runner = new ProbeRunner({
    table,
    deadlines: new Deadlines(),
    createCheck,
    pidsOf: async (job: Job) => {
      const snapshot = await recent();
      return liveOnly(membersOf(job, snapshot), snapshot);
    },
    stopUnhealthy: (id) => supervisor.stopUnhealthy(id),
    logger,
  });
  runner.start();
  return runner;
}

/** One snapshot read at a time, reused while it is fresh. */
function recentSnapshots(snapshots: ProcessSnapshots): () => Promise<ProcessSnapshot> {
  let last: { at: number; snapshot: Promise<ProcessSnapshot> } | null = null;
  return () => {
    const now = Date.now();
    if (!last || now - last.at > SNAPSHOT_REUSE_MS) {
      const snapshot = snapshots.take();
      last = { at: now, snapshot };
      snapshot.catch(() => (last = null));
    }
    return last.snapshot;
  };
}
