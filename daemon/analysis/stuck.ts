// Stuck: running jobs silent for at least their stuck threshold (paused time is not silence), as
// the monitor's flag judges it. The last line is filled in by the handler when it is cheap to read.

import type { Stuck } from '../../shared/analyze.js';
import { commandText } from '../../shared/job.js';
import { silenceStart } from '../jobs/pause-clock.js';
import type { AnalysisInput } from './input.js';

export function stuckJobs(input: Pick<AnalysisInput, 'jobs' | 'now'>): Stuck[] {
  const out: Stuck[] = [];
  for (const job of input.jobs) {
    if (job.state.kind !== 'running') continue;
    const flagged = job.flags.some((f) => f.kind === 'stuck');
    const threshold = job.spec.stuckAfterMs;
    // As the monitor judges it: never an adopted process (its output is unknown) nor a service its readiness probe passed.
    const readyService = job.spec.kind === 'service' && !!job.probes?.ready;
    if (!flagged && (threshold <= 0 || job.spec.command.kind === 'adopted' || readyService)) continue;
    const silentMs = input.now - silenceStart(job.state, job.output.lastOutputAt);
    if (!flagged && silentMs < threshold) continue;
    out.push({
      jobId: job.id,
      name: job.name,
      run: null,
      command: commandText(job.spec.command),
      silentMs,
      stuckAfterMs: threshold,
      lastOutputAt: job.output.lastOutputAt,
      lastLine: null,
      lastLineNote: job.output.lastOutputAt === null ? 'it has written nothing' : 'not read',
    });
  }
  return out.sort((a, b) => b.silentMs - a.silentMs);
}
