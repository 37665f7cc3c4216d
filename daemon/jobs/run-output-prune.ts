// Output of earlier runs is kept for the last KEEP_RUN_OUTPUT runs only: a service in a crash loop
// restarts up to 1,440 times a day at the longest backoff, and each run has its own directory.
// The run records stay (the last MAX_RUN_RECORDS); a pruned run's record says `outputRemoved`.

import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Job } from '../../shared/job.js';
import { KEEP_RUN_OUTPUT, type RunRecord } from '../../shared/restart.js';
import { TIMELINE_FILE } from '../timeline/timeline-store.js';

/** The earlier runs whose output goes: all but the newest `keep` runs (the current one counts), not yet pruned. */
export function runsToPrune(job: Pick<Job, 'runs'>, keep = KEEP_RUN_OUTPUT): RunRecord[] {
  const current = job.runs?.current ?? 1;
  return (job.runs?.earlier ?? []).filter((r) => r.run <= current - keep && !r.outputRemoved);
}

/**
 * Removes a run's output. Run 1's directory is the job's own and holds the later runs' `run-N`
 * directories: only its own files go.
 */
export async function removeRunOutput(record: RunRecord): Promise<void> {
  if (record.run !== 1) return rm(record.dir, { recursive: true, force: true });
  const names = await readdir(record.dir).catch(() => [] as string[]);
  // The job's timeline (daemon/timeline/) is the whole job's, not run 1's.
  await Promise.all(names.filter((n) => !/^run-\d+$/.test(n) && n !== TIMELINE_FILE).map((n) => rm(join(record.dir, n), { recursive: true, force: true })));
}
