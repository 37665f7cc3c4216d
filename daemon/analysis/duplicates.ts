// What runs twice: live jobs running the same command in the same directory at once, and runs that
// failed with EADDRINUSE while another job in the same directory (so also of the same command) was
// running: they compete for one port.

import type { Duplicate, JobRef, PortConflict } from '../../shared/analyze.js';
import { commandText, hasLiveProcess, type Job } from '../../shared/job.js';
import { commandSignature } from '../../shared/history.js';
import { jobRef, runRef, type AnalysisInput } from './input.js';

const MAX_HOLDERS = 5;
/** Only the latest EADDRINUSE runs are matched against holders (each match reads every holder). */
const MAX_CONFLICTS = 50;

export function duplicates(input: Pick<AnalysisInput, 'jobs'>): Duplicate[] {
  const bySig = new Map<string, Job[]>();
  for (const job of input.jobs) {
    if (!hasLiveProcess(job.state) || job.spec.command.kind === 'adopted') continue;
    const sig = commandSignature(job.spec.command, job.spec.cwd);
    const list = bySig.get(sig);
    if (list) list.push(job);
    else bySig.set(sig, [job]);
  }
  const out: Duplicate[] = [];
  for (const [signature, jobs] of bySig) {
    if (jobs.length < 2) continue;
    jobs.sort((a, b) => a.id - b.id);
    out.push({ signature, command: commandText(jobs[0]!.spec.command), jobs: jobs.map(jobRef) });
  }
  return out.sort((a, b) => b.jobs.length - a.jobs.length);
}

/** A job or run that was running over an interval (a signature includes its cwd: one cwd covers both). */
interface Holder {
  ref: JobRef;
  startedAt: number;
  /** null: still running now. */
  endedAt: number | null;
}

/** The finished runs of one directory, by start time, and the longest of them (how far back a holder can have started). */
interface Bucket {
  runs: Holder[];
  longestMs: number;
}

export function portConflicts(input: Pick<AnalysisInput, 'jobs' | 'runs'>): PortConflict[] {
  const failed = input.runs.filter((r) => r.errors.some((e) => e.signature === 'EADDRINUSE')).slice(-MAX_CONFLICTS);
  if (!failed.length) return [];
  // Only the directories of those runs matter (the same command is in the same directory).
  const buckets = new Map<string, Bucket>(failed.map((r) => [r.cwd, { runs: [], longestMs: 0 }]));
  for (const run of input.runs) {
    const b = buckets.get(run.cwd);
    if (!b) continue;
    b.runs.push({ ref: runRef(run), startedAt: run.startedAt, endedAt: run.endedAt });
    b.longestMs = Math.max(b.longestMs, run.endedAt - run.startedAt);
  }
  for (const b of buckets.values()) b.runs.sort((x, y) => x.startedAt - y.startedAt);
  const live = new Map<string, Holder[]>();
  for (const job of input.jobs) {
    if (!hasLiveProcess(job.state) || job.spec.command.kind === 'adopted' || !buckets.has(job.spec.cwd)) continue;
    const list = live.get(job.spec.cwd) ?? live.set(job.spec.cwd, []).get(job.spec.cwd)!;
    list.push({ ref: jobRef(job), startedAt: job.state.startedAt, endedAt: null });
  }
  return failed.flatMap((run): PortConflict[] => {
    const at = run.startedAt;
    const bucket = buckets.get(run.cwd)!;
    const found: PortConflict['holders'] = [];
    const seen = new Set<number>([run.jobId]);
    const consider = (h: Holder) => {
      if (found.length >= MAX_HOLDERS || seen.has(h.ref.jobId) || h.startedAt > at || (h.endedAt !== null && h.endedAt < at)) return;
      seen.add(h.ref.jobId);
      found.push({ ...h.ref, live: h.endedAt === null });
    };
    for (const h of live.get(run.cwd) ?? []) consider(h);
    // Back from the last run that started by `at`, as long as one that long could still be running then.
    for (let i = lastStartedBy(bucket.runs, at); i >= 0 && bucket.runs[i]!.startedAt >= at - bucket.longestMs && found.length < MAX_HOLDERS; i--) consider(bucket.runs[i]!);
    if (!found.length) return [];
    const port = run.errors.find((e) => e.signature === 'EADDRINUSE')?.detail ?? null;
    return [{ ...runRef(run), port, at, holders: found }];
  });
}

/** The index of the last holder that started at or before `at` (-1: none), by binary search. */
function lastStartedBy(sorted: readonly Holder[], at: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]!.startedAt <= at) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}
