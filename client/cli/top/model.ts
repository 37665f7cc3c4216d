// procd top's picture of the jobs: one `list` to begin with, then kept current by the daemon's
// events alone (samples carry CPU and memory). Pure: each event changes the job table and says
// what, if anything, must be asked of the daemon (a job it has not seen yet, health after a flag,
// everything again after a gap).

import type { ProcdEvent } from '../../../shared/events.js';
import { hasLiveProcess, isTerminal, JOB_STATE_KINDS, type JobStateKind, type JobSummary, type ResourceSample } from '../../../shared/job.js';

export type TopJob = JobSummary;

export interface EventEffect {
  /** Jobs to read in full (`status`): not seen yet, or their health changed. */
  fetch: number[];
  /** Read every job again (`list`): events were missed. */
  reload: boolean;
  /** Something shown changed: draw a new frame. */
  changed: boolean;
  /** What to say in the status line, if anything (the daemon is stopping, events were lost). */
  note?: string;
}

const NOTHING: EventEffect = { fetch: [], reload: false, changed: false };

/** The table after a `list`: every job it answered; jobs it no longer lists (older finished ones) are kept while they are shown. */
export function applyList(jobs: Map<number, TopJob>, listed: readonly TopJob[]): void {
  const seen = new Set<number>();
  for (const job of listed) {
    jobs.set(job.id, job);
    seen.add(job.id);
  }
  // A live job missing from the answer was removed (rm) or ended long ago: drop it.
  for (const [id, job] of jobs) if (!seen.has(id) && !isTerminal(job.state)) jobs.delete(id);
}

/** One event applied to the table. */
export function applyEvent(jobs: Map<number, TopJob>, event: ProcdEvent): EventEffect {
  switch (event.kind) {
    case 'subscription.gap':
      return { fetch: [], reload: true, changed: true, note: `events #${event.from}–#${event.to} were missed: reloaded` };
    case 'subscription.dropped':
      return { fetch: [], reload: true, changed: true, note: `the daemon dropped this subscription (${event.reason})` };
    case 'daemon.shutdown':
      return { ...NOTHING, changed: true, note: event.keepJobs ? 'the daemon is restarting (jobs keep running)' : 'the daemon is stopping' };
    default:
      break;
  }
  // Gone: drop it (and never fetch what no longer exists).
  if (event.kind === 'job.removed') return { ...NOTHING, changed: jobs.delete(event.job.id) };
  const job = jobs.get(event.job.id);
  if (!job) return { fetch: [event.job.id], reload: false, changed: false };
  switch (event.kind) {
    case 'sample':
      if (!hasLiveProcess(job.state)) return NOTHING;
      jobs.set(job.id, { ...job, resources: withSample(job.resources, event.sample) });
      return { ...NOTHING, changed: true };
    case 'job.state':
      jobs.set(job.id, { ...job, state: event.state, pendingKill: isTerminal(event.state) ? null : job.pendingKill });
      // A new run (restart) or an end changes health, flags and figures: read the job once.
      return { fetch: event.to === 'running' || isTerminal(event.state) ? [job.id] : [], reload: false, changed: true };
    case 'job.stopping':
      jobs.set(job.id, { ...job, pendingKill: event.kill });
      return { ...NOTHING, changed: true };
    case 'flag.raised':
    case 'flag.changed':
      jobs.set(job.id, { ...job, flags: [...job.flags.filter((f) => f.kind !== event.flag.kind), event.flag] });
      return { fetch: [job.id], reload: false, changed: true };
    case 'flag.cleared':
      jobs.set(job.id, { ...job, flags: job.flags.filter((f) => f.kind !== event.flag.kind) });
      return { fetch: [job.id], reload: false, changed: true };
    case 'job.progress':
      jobs.set(job.id, { ...job, progress: event.progress });
      return { ...NOTHING, changed: true };
    case 'job.ready':
    case 'job.started':
    case 'leftover.found':
    case 'limit.exceeded':
    case 'alert':
      // Their effect on what top shows (state, flags, health) comes with the job read again.
      return { fetch: [job.id], reload: false, changed: false };
    case 'job.listening':
      return NOTHING; // top shows no ports
  }
}

/** The job's resource figures with one more reading: top shows the last one. */
function withSample(r: TopJob['resources'], sample: ResourceSample): NonNullable<TopJob['resources']> {
  const base = r ?? { samples: 0, cpuSamples: 0, cpuPeak: 0, cpuAvg: 0, rssPeak: 0, rssAvg: 0, processesPeak: 0, last: null };
  return { ...base, samples: base.samples + 1, rssPeak: Math.max(base.rssPeak, sample.rssBytes), last: sample };
}

/** How many jobs are in each state, for the header (only kinds with at least one). */
export function stateCounts(jobs: Iterable<TopJob>): Map<JobStateKind, number> {
  const counts = new Map<JobStateKind, number>();
  // In lifecycle order, so the header reads the same way every frame.
  for (const k of JOB_STATE_KINDS) counts.set(k, 0);
  for (const j of jobs) counts.set(j.state.kind, (counts.get(j.state.kind) ?? 0) + 1);
  for (const [k, n] of counts) if (n === 0) counts.delete(k);
  return counts;
}
