// What runs twice: live jobs running the same command in the same directory at once, and runs that
// failed with EADDRINUSE while another job of the same command or directory was running (they
// compete for one port).

import type { Duplicate, JobRef, PortConflict } from '../../shared/analyze.js';
import { commandText, hasLiveProcess, type Job } from '../../shared/job.js';
import { commandSignature, type HistoryRun } from '../../shared/history.js';
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

/** A job or run that was running over an interval, keyed by what it may compete on. */
interface Holder {
  ref: JobRef;
  signature: string;
  cwd: string;
  startedAt: number;
  /** null: still running now. */
  endedAt: number | null;
}

export function portConflicts(input: Pick<AnalysisInput, 'jobs' | 'runs'>): PortConflict[] {
  const failed = input.runs.filter((r) => r.errors.some((e) => e.signature === 'EADDRINUSE')).slice(-MAX_CONFLICTS);
  if (!failed.length) return [];
  // Only the directories and commands of those runs matter: a second pass keeps just their holders.
  const cwds = new Set(failed.map((r) => r.cwd));
  const sigs = new Set(failed.map((r) => r.signature));
  const holders: Holder[] = [];
  for (const run of input.runs) {
    if (cwds.has(run.cwd) || sigs.has(run.signature)) holders.push({ ref: runRef(run), signature: run.signature, cwd: run.cwd, startedAt: run.startedAt, endedAt: run.endedAt });
  }
  for (const job of input.jobs) {
    if (!hasLiveProcess(job.state) || job.spec.command.kind === 'adopted') continue;
    const signature = commandSignature(job.spec.command, job.spec.cwd);
    if (cwds.has(job.spec.cwd) || sigs.has(signature)) holders.push({ ref: jobRef(job), signature, cwd: job.spec.cwd, startedAt: job.state.startedAt, endedAt: null });
  }
  return failed.flatMap((run): PortConflict[] => {
    const at = run.startedAt;
    const seen = new Set<number>();
    const found: PortConflict['holders'] = [];
    for (const h of holders) {
      if (h.ref.jobId === run.jobId || seen.has(h.ref.jobId) || found.length >= MAX_HOLDERS) continue;
      if (h.signature !== run.signature && h.cwd !== run.cwd) continue;
      if (h.startedAt > at || (h.endedAt !== null && h.endedAt < at)) continue;
      seen.add(h.ref.jobId);
      found.push({ ...h.ref, live: h.endedAt === null });
    }
    if (!found.length) return [];
    const port = run.errors.find((e) => e.signature === 'EADDRINUSE')?.detail ?? null;
    return [{ ...runRef(run), port, at, holders: found }];
  });
}
