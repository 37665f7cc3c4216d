// `procd cleanup`: what is left behind, found with one fresh read — leftovers of finished jobs
// (killed with the kill procedure), zombies with the parents that do not reap them (stopped
// only when asked), and old finished records past the retention. With an owner (`cleanup --owner`,
// the reaper an agent calls at the end of its session): that owner's live jobs are stopped first
// (as `kill --owner`), and only that owner's leftovers, zombies and records are looked at.

import { isTerminal, type JobId } from '../../shared/job.js';
import type { CleanupResult, ParamsOf } from '../../shared/methods.js';
import type { Monitor } from '../monitor/monitor.js';
import { isAlive } from '../proc/process-table.js';
import { setTimeout as delay } from 'node:timers/promises';
import type { JobTable } from './job-table.js';
import type { Supervisor } from './supervisor.js';
import { liveJobsOf } from './owned.js';
import { ErrorCode } from '../../shared/errors.js';

export interface CleanupDefaults {
  retentionMs: number;
  maxRecords: number;
  graceMs: number;
}

export async function cleanup(table: JobTable, supervisor: Supervisor, monitor: Monitor, params: ParamsOf<'cleanup'>, defaults: CleanupDefaults): Promise<CleanupResult> {
  const dryRun = params.dryRun ?? false;
  const owner = params.owner;
  const live = owner === undefined ? [] : liveJobsOf(table.all(), owner);
  const stopped = owner === undefined || dryRun ? null : await supervisor.kill(live, undefined, undefined);
  const scanned = await monitor.scan();
  // Read after the stops: the owner's jobs just stopped are finished ones now.
  const mine = owner === undefined ? null : new Set([...table.all()].filter((j) => j.owner?.name === owner).map((j) => j.id));
  const leftovers = mine ? new Map([...scanned.leftovers].filter(([id]) => mine.has(id))) : scanned.leftovers;
  const zombies = mine ? scanned.zombies.filter((z) => mine.has(z.jobId)) : scanned.zombies;
  const result: CleanupResult = {
    dryRun,
    leftovers: { jobs: [...leftovers.keys()], pids: [...leftovers.values()].flat().sort((a, b) => a - b), signalled: [], forced: [] },
    zombies,
    reapedParents: [],
    pruned: prunable(table, params.retentionMs ?? defaults.retentionMs, params.maxRecords ?? defaults.maxRecords, owner),
    ...(stopped ? { stopped: stopped.filter((r) => r.ok || r.error.code !== ErrorCode.JobNotRunning) } : {}),
    ...(owner !== undefined && dryRun ? { wouldStop: wouldStop(table, live) } : {}),
  };
  if (dryRun) return result;

  const kills = await Promise.all([...leftovers.keys()].map((id) => monitor.cleanLeftovers(id)));
  for (const k of kills) {
    result.leftovers.signalled.push(...k.signalled);
    result.leftovers.forced.push(...k.forced);
  }
  if (params.reapParents) {
    const parents = [...new Set(zombies.map((z) => z.ppid))].filter((ppid) => ppid > 1 && ppid !== process.pid);
    result.reapedParents = (await Promise.all(parents.map((pid) => stopProcess(pid, defaults.graceMs)))).filter((pid): pid is number => pid !== null);
  }
  result.pruned = result.pruned.length ? (await supervisor.remove(result.pruned, { force: false, dryRun: false })).removed : [];
  return result;
}

/** The live jobs a dry run leaves alone, as rm reports its jobs: id, name, state now. */
function wouldStop(table: JobTable, ids: JobId[]): NonNullable<CleanupResult['wouldStop']> {
  return ids.flatMap((id) => {
    const job = table.get(id);
    return job ? [{ id, name: job.name, state: job.state.kind }] : [];
  });
}

/** Finished jobs older than the retention, plus the oldest beyond the record limit (of one owner's, when given). */
function prunable(table: JobTable, retentionMs: number, maxRecords: number, owner?: string): JobId[] {
  const cutoff = Date.now() - retentionMs;
  const finished = [...table.all()].filter((j) => isTerminal(j.state) && (owner === undefined || j.owner?.name === owner)).sort((a, b) => a.id - b.id);
  const old = new Set(finished.filter((j) => isTerminal(j.state) && j.state.endedAt < cutoff).map((j) => j.id));
  const excess = table.size - maxRecords;
  for (const job of finished) {
    if (old.size >= excess) break;
    old.add(job.id);
  }
  return [...old].sort((a, b) => a - b);
}

/** SIGTERM, then SIGKILL after the grace: for the parent of a zombie that never reaps it. */
async function stopProcess(pid: number, graceMs: number): Promise<number | null> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return null;
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && (await isAlive(pid))) await delay(25);
  if (await isAlive(pid)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
  return pid;
}
