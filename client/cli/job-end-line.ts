// The one line that says how a job ended, for `logs -f` and `track --wait` on a terminal.

import { isTerminal, type JobView } from '../../shared/job.js';
import { exitText } from './format-job.js';

/** `job 3 (web) failed, exit 3` / `job 3 (web) killed, exit SIGTERM(143)`; null while it runs. */
export function jobEndLine(job: JobView): string | null {
  if (!isTerminal(job.state)) return null;
  const limit = job.state.outcome === 'limit' ? ` over its ${job.state.outcomeDetail ?? ''} limit`.replace('  ', ' ') : '';
  const oom = job.state.outcome === 'oom' ? ' (out of memory: killed by the kernel)' : '';
  return `job ${job.id} (${job.name}) ${job.state.kind}${limit}${oom}, exit ${exitText(job)}`;
}
