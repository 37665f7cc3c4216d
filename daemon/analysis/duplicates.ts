// What runs twice: live jobs running the same command in the same directory at once, and runs that
// failed with EADDRINUSE while another job in the same directory (so also of the same command) was
// running, or while a live job listens on that port (its `ports`): they compete for one port. A
// live job of the directory known to listen only on other ports is not one of them.
// Live jobs wanting one port before any fails: port-claims.ts.

import type { Duplicate, JobRef, PortConflict } from '../../shared/analyze.js';
import { commandText, hasLiveProcess, type Job } from '../../shared/job.js';
import { commandSignature } from '../../shared/history.js';
import { jobRef, runRefAt, type AnalysisInput } from './input.js';
import { defaultNameOf, isDefaultName } from './names.js';
import { runTable, type RunTable } from './runs.js';

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
    const [keep, ...extra] = keptFirst(jobs);
    if (keep && extra.length) out.push({ signature, command: commandText(keep.spec.command), jobs: [keep, ...extra].map(jobRef) });
  }
  return out.sort((a, b) => b.jobs.length - a.jobs.length);
}

/**
 * The job to keep, then the ones that duplicate it: jobs the user named are meant to run side by
 * side (each name was chosen), so only unnamed ones are extra. Kept: the oldest named job, else the
 * oldest. `jobs` by id.
 */
function keptFirst(jobs: readonly Job[]): Job[] {
  const command = jobs[0]!.spec.command;
  const base = defaultNameOf(command.kind === 'shell' ? { kind: 'shell', script: command.script } : { kind: 'argv', argv: command.argv });
  const unnamed = jobs.filter((j) => isDefaultName(j.name, base));
  const keep = jobs.find((j) => !unnamed.includes(j)) ?? unnamed[0];
  return keep ? [keep, ...unnamed.filter((j) => j !== keep)] : [];
}

/** A live job that may hold a port. */
interface LiveHolder {
  ref: JobRef;
  startedAt: number;
  /** The ports it listens on (the monitor's `ports`); null: not known (none seen, or not sampled yet). */
  ports: ReadonlySet<string> | null;
}

/** The finished runs of one directory (indices into the runs, by start time), and the longest of them. */
interface Bucket {
  runs: number[];
  longestMs: number;
}

const addrInUse = (e: { signature: string }) => e.signature === 'EADDRINUSE';

export function portConflicts(input: Pick<AnalysisInput, 'jobs' | 'runs'>): PortConflict[] {
  const runs = runTable(input.runs);
  // The latest MAX_CONFLICTS runs that failed with EADDRINUSE, oldest first (indices).
  const failed: number[] = [];
  for (let i = runs.length - 1; i >= 0 && failed.length < MAX_CONFLICTS; i--) if (runs.errors(i).some(addrInUse)) failed.push(i);
  failed.reverse();
  if (!failed.length) return [];
  // Only the directories of those runs matter (a signature includes its cwd: the same command is in
  // the same directory). Indices, not objects: this pass may cover most of 100,000 runs.
  const buckets = new Map<string, Bucket>(failed.map((i) => [runs.cwd(i), { runs: [], longestMs: 0 }]));
  for (let i = 0; i < runs.length; i++) {
    const b = buckets.get(runs.cwd(i));
    if (!b) continue;
    b.runs.push(i);
    b.longestMs = Math.max(b.longestMs, runs.endedAt(i) - runs.startedAt(i));
  }
  for (const b of buckets.values()) b.runs.sort((x, y) => runs.startedAt(x) - runs.startedAt(y));
  const live = new Map<string, LiveHolder[]>();
  for (const job of input.jobs) {
    if (!hasLiveProcess(job.state) || job.spec.command.kind === 'adopted' || !buckets.has(job.spec.cwd)) continue;
    const list = live.get(job.spec.cwd) ?? live.set(job.spec.cwd, []).get(job.spec.cwd)!;
    list.push({ ref: jobRef(job), startedAt: job.state.startedAt, ports: job.ports?.length ? new Set(job.ports.map((p) => String(p.port))) : null });
  }
  // Live jobs listening on a port now (the monitor's `ports`), whatever their command or directory.
  const listeningOn = new Map<string, JobRef[]>();
  for (const job of input.jobs) {
    if (!hasLiveProcess(job.state)) continue;
    for (const port of new Set((job.ports ?? []).map((p) => String(p.port)))) (listeningOn.get(port) ?? listeningOn.set(port, []).get(port)!).push(jobRef(job));
  }
  return failed.flatMap((run): PortConflict[] => {
    const at = runs.startedAt(run);
    const cwd = runs.cwd(run);
    const bucket = buckets.get(cwd)!;
    const found: PortConflict['holders'] = [];
    const seen = new Set<number>([runs.jobId(run)]);
    const port = runs.errors(run).find(addrInUse)?.detail ?? null;
    for (const ref of port === null ? [] : (listeningOn.get(port) ?? [])) {
      if (found.length >= MAX_HOLDERS || seen.has(ref.jobId)) continue;
      seen.add(ref.jobId);
      found.push({ ...ref, live: true });
    }
    for (const h of live.get(cwd) ?? []) {
      if (found.length >= MAX_HOLDERS || seen.has(h.ref.jobId) || h.startedAt > at) continue;
      // It listens, but not on the port that was in use: it is not what holds it (a server of another port in the same directory).
      if (port !== null && h.ports && !h.ports.has(port)) continue;
      seen.add(h.ref.jobId);
      found.push({ ...h.ref, live: true });
    }
    // Back from the last run that started by `at`, as long as one that long could still be running then.
    for (let i = lastStartedBy(bucket.runs, runs, at); i >= 0 && found.length < MAX_HOLDERS; i--) {
      const other = bucket.runs[i]!;
      if (runs.startedAt(other) < at - bucket.longestMs) break;
      const jobId = runs.jobId(other);
      if (seen.has(jobId) || runs.endedAt(other) < at) continue;
      seen.add(jobId);
      found.push({ ...runRefAt(runs, other), live: false });
    }
    if (!found.length) return [];
    return [{ ...runRefAt(runs, run), port, at, holders: found }];
  });
}

/** The position in `sorted` (run indices by start) of the last run that started at or before `at` (-1: none), by binary search. */
function lastStartedBy(sorted: readonly number[], runs: RunTable, at: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (runs.startedAt(sorted[mid]!) <= at) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}
