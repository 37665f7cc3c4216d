// What the daemon counts for `metrics` as it runs (issue 16): RPC latency (fed by the dispatch) and
// restarts since it started (a counter, so only ever up; the per-job restart counts in the records
// can go down when records are removed).

import type { JobTable } from '../jobs/job-table.js';
import { RpcLatency } from './rpc-latency.js';

export class DaemonMetrics {
  readonly rpc = new RpcLatency();
  restarts = 0;

  constructor(table: Pick<JobTable, 'on'>) {
    table.on('change', ({ job, before }) => {
      const added = (job.runs?.restarts ?? 0) - (before?.runs?.restarts ?? 0);
      if (before && added > 0) this.restarts += added;
    });
  }
}
