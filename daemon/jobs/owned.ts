// The jobs of one owner (`kill --owner`, `cleanup --owner`): chosen here, acted on by the callers.

import { isTerminal, type Job, type JobId } from '../../shared/job.js';

/** The owner's live jobs (queued, starting, running, paused), oldest first. */
export function liveJobsOf(jobs: Iterable<Job>, owner: string): JobId[] {
  return [...jobs].filter((j) => j.owner?.name === owner && !isTerminal(j.state)).map((j) => j.id).sort((a, b) => a - b);
}
