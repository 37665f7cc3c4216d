// `procd release`: stop supervising an adopted process without signalling it. Its job ends
// `lost` with outcome `released` — lost because procd will not learn how it ends (as for an
// adopted process that exits by itself), `released` because procd let go on purpose — and the
// process is no longer a member of the job (no leftovers, no kill; it can be adopted again).

import { ErrorCode, ProcdError } from '../../shared/errors.js';
import { hasLiveProcess, type Job } from '../../shared/job.js';
import type { JobRef } from '../../shared/methods.js';
import type { JobTable } from './job-table.js';

export function releaseAdopted(table: JobTable, ref: JobRef, now = Date.now()): Job {
  const job = table.resolve(ref);
  if (job.spec.command.kind !== 'adopted') {
    throw new ProcdError(ErrorCode.NotAdopted, `job ${job.id} (${job.name}) was started by procd, not adopted: only an adopted process can be released (procd kill ${job.id} stops it)`, {
      id: job.id,
    });
  }
  if (!hasLiveProcess(job.state)) {
    throw new ProcdError(ErrorCode.JobNotRunning, `job ${job.id} (${job.name}) is not running: it is ${job.state.kind}`, { id: job.id, state: job.state.kind });
  }
  if (job.pendingKill) {
    throw new ProcdError(ErrorCode.JobNotRunning, `job ${job.id} (${job.name}) is being stopped (procd kill); it can no longer be released`, { id: job.id, state: 'stopping' });
  }
  // Durable before the answer: the method table marks release as mutating.
  return table.apply(job.id, { type: 'release', at: now }) ?? job;
}
