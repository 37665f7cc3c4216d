// Which run of a job `logs` reads, and where its output is. A job's runs are its earlier runs'
// records (shared/restart.ts, oldest first) and the current run, whose directory is `job.dir`.
// Pure, except `outputKept`, which looks at the disk.

import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Job } from '../../shared/job.js';
import { ErrorCode, ProcdError } from '../../shared/errors.js';
import { KEEP_RUN_OUTPUT, type RunRecord } from '../../shared/restart.js';

/** A run to read: its number, its directory, and its record once it has ended (null: the current run). */
export interface RunTarget {
  run: number;
  dir: string;
  record: RunRecord | null;
}

export function currentRun(job: Pick<Job, 'runs'>): number {
  return job.runs?.current ?? 1;
}

/** The run shown by default: the current one; while the job waits to restart, the run that just ended (the next has no output yet). */
export function defaultRun(job: Pick<Job, 'runs' | 'state'>): number {
  const last = job.runs?.earlier.at(-1);
  if (job.state.kind === 'queued' && job.state.reason.kind === 'restart' && last) return last.run;
  return currentRun(job);
}

/** Run `n` of the job, or null when it has none (not yet, or its record was dropped). */
export function findRun(job: Pick<Job, 'runs' | 'dir'>, n: number): RunTarget | null {
  if (n === currentRun(job)) return { run: n, dir: job.dir, record: null };
  const record = job.runs?.earlier.find((r) => r.run === n);
  return record ? { run: n, dir: record.dir, record } : null;
}

/** The runs after `n`, oldest first: later records, then the current run. */
export function runsAfter(job: Pick<Job, 'runs' | 'dir'>, n: number): RunTarget[] {
  const later = (job.runs?.earlier ?? []).filter((r) => r.run > n).map((r): RunTarget => ({ run: r.run, dir: r.dir, record: r }));
  const current = currentRun(job);
  return current > n ? [...later, { run: current, dir: job.dir, record: null }] : later;
}

/** Whether an ended run still has its output: only the last KEEP_RUN_OUTPUT runs keep theirs (daemon/jobs/run-output-prune.ts). */
export async function outputKept(target: RunTarget): Promise<boolean> {
  if (target.record === null) return true;
  if (target.record.outputRemoved) return false;
  // Its record may not say so yet (the removal is under way), or someone removed it by hand.
  // Run 1's directory is the job's own (it holds the later runs'): what goes is its files.
  for (const name of ['out', 'spawn.spec']) {
    try {
      await stat(join(target.dir, name));
      return true;
    } catch {
      // try the next
    }
  }
  return false;
}

/** The first run to read with `allRuns`: the oldest kept one, skipping those that ended before `since`. */
export async function firstRun(job: Pick<Job, 'runs' | 'dir'>, since: number | undefined): Promise<RunTarget> {
  return (await nextRun(job, 0, since)) ?? { run: currentRun(job), dir: job.dir, record: null };
}

/** The next run after `n` whose output is kept (and, with `since`, that did not end before it); null: none yet. */
export async function nextRun(job: Pick<Job, 'runs' | 'dir'>, n: number, since: number | undefined): Promise<RunTarget | null> {
  for (const t of runsAfter(job, n)) {
    if (t.record && since !== undefined && t.record.endedAt < since) continue;
    if (await outputKept(t)) return t;
  }
  return null;
}

/** Run `n` for reading, or RunNotFound naming the runs there are. */
export async function runToRead(job: Job, n: number): Promise<RunTarget> {
  const target = findRun(job, n);
  if (target && (await outputKept(target))) return target;
  const current = currentRun(job);
  const oldest = job.runs?.earlier[0]?.run ?? current;
  const which = oldest === current ? `only run ${current}` : `runs ${oldest}–${current}`;
  const data = { id: job.id, run: n, current, oldest };
  const about = `job ${job.id} (${job.name})`;
  if (n > current) throw new ProcdError(ErrorCode.RunNotFound, `${about} has no run ${n}: it is in run ${current} (there ${oldest === current ? 'is' : 'are'} ${which})`, data);
  if (!target) throw new ProcdError(ErrorCode.RunNotFound, `${about} no longer has a record of run ${n}: only the last ${job.runs?.earlier.length ?? 0} ended runs are kept (there ${oldest === current ? 'is' : 'are'} ${which})`, data);
  throw new ProcdError(ErrorCode.RunNotFound, `the output of run ${n} of ${about} was removed: only the last ${KEEP_RUN_OUTPUT} runs keep theirs (there ${oldest === current ? 'is' : 'are'} ${which})`, data);
}
