// Stuck: running jobs silent for at least their stuck threshold (paused time is not silence), or
// whose reported progress stalled that long, as the monitor's flag judges it. The last line is filled in by the handler when it is cheap to read.

import type { Stuck } from '../../shared/analyze.js';
import { commandText } from '../../shared/job.js';
import { silenceStart } from '../jobs/pause-clock.js';
import type { AnalysisInput } from './input.js';

export function stuckJobs(input: Pick<AnalysisInput, 'jobs' | 'now'>): Stuck[] {
  const out: Stuck[] = [];
  for (const job of input.jobs) {
    if (job.state.kind !== 'running') continue;
    const flag = job.flags.find((f) => f.kind === 'stuck');
    const flagged = flag !== undefined;
    const threshold = job.spec.stuckAfterMs;
    // A job that reports progress is stuck when its progress stalls, not when it is quiet (a silent
    // download reporting progress is fine): the monitor's flag says so, with how long it stalled.
    if (job.progress) {
      if (!flag) continue;
      const stalledMs = typeof flag.data.stalledMs === 'number' ? flag.data.stalledMs : input.now - flag.raisedAt;
      out.push({ ...entryOf(job, stalledMs, threshold), progressStalledAt: `${Math.floor(job.progress.percent)}%${job.progress.phase ? ` (${job.progress.phase})` : ''}` });
      continue;
    }
    // As the monitor judges it: never an adopted process (its output is unknown) nor a service its readiness probe passed.
    const readyService = job.spec.kind === 'service' && !!job.probes?.ready;
    if (!flagged && (threshold <= 0 || job.spec.command.kind === 'adopted' || readyService)) continue;
    const silentMs = input.now - silenceStart(job.state, job.output.lastOutputAt);
    if (!flagged && silentMs < threshold) continue;
    out.push(entryOf(job, silentMs, threshold));
  }
  return out.sort((a, b) => b.silentMs - a.silentMs);
}

function entryOf(job: AnalysisInput['jobs'][number], silentMs: number, stuckAfterMs: number): Stuck {
  return {
    jobId: job.id,
    name: job.name,
    run: null,
    command: commandText(job.spec.command),
    silentMs,
    stuckAfterMs,
    lastOutputAt: job.output.lastOutputAt,
    lastLine: null,
    lastLineNote: job.output.lastOutputAt === null ? 'it has written nothing' : 'not read',
  };
}
