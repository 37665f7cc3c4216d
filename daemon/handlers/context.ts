// What every handler can reach: the job table, the supervisor and facts about this daemon.

import type { ProcdPaths } from '../../shared/paths.js';
import type { JobTable } from '../jobs/job-table.js';
import type { Supervisor } from '../jobs/supervisor.js';

export interface DaemonContext {
  table: JobTable;
  supervisor: Supervisor;
  paths: ProcdPaths;
  startedAt: number;
  warnings: string[];
  /** Begins a graceful stop once the current answer has been sent. */
  requestStop(keepJobs: boolean): Promise<number>;
}
