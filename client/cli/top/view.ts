// Which jobs procd top shows, in which order, and the text of each cell: pure functions of the
// job table, the sort key, the filter text and the time.

import { formatBytes, formatDuration } from '../../../shared/duration.js';
import { hasLiveProcess, isTerminal, type JobStateKind } from '../../../shared/job.js';
import { commandOf, elapsed, flagText, stateText } from '../format-job.js';
import type { TopJob } from './model.js';

export type SortKey = 'id' | 'cpu' | 'mem' | 'elapsed' | 'state';
export const SORT_KEYS: readonly SortKey[] = ['id', 'cpu', 'mem', 'elapsed', 'state'];

/** The CPU % top shows: the last reading of a job with a live process (null: none). */
export function cpuOf(job: TopJob): number | null {
  return hasLiveProcess(job.state) ? (job.resources?.last?.cpuPercent ?? null) : null;
}

/** Memory: the tree's RSS at the last reading while it runs, its peak once ended. */
export function memOf(job: TopJob): number | null {
  const r = job.resources;
  if (!r?.last) return null;
  return hasLiveProcess(job.state) ? r.last.rssBytes : r.rssPeak;
}

/** How long it has been running (paused time included), or how long it ran. */
export function elapsedMs(job: TopJob, now: number): number {
  const s = job.state;
  if (hasLiveProcess(s)) return now - s.startedAt;
  if (isTerminal(s)) return s.durationMs;
  return 0;
}

/** The job's owner's name (null: a job recorded before owners, or started by a client that gave none). */
export function ownerOf(job: TopJob): string | null {
  return job.owner?.name ?? null;
}

// Live jobs first, in lifecycle order (running before paused, queued last of the live), then the ended ones.
const STATE_RANK: Record<JobStateKind, number> = { running: 0, starting: 1, paused: 2, queued: 3, failed: 4, lost: 5, timed_out: 6, killed: 7, completed: 8 };

/** Sorted copy: biggest CPU / memory / elapsed first, or by state; ties (and `id`) by id, oldest first. */
export function sortJobs(jobs: readonly TopJob[], key: SortKey, now: number): TopJob[] {
  const byId = (a: TopJob, b: TopJob) => a.id - b.id;
  const desc = (f: (j: TopJob) => number | null) => (a: TopJob, b: TopJob) => (f(b) ?? -1) - (f(a) ?? -1) || byId(a, b);
  const compare: Record<SortKey, (a: TopJob, b: TopJob) => number> = {
    id: byId,
    cpu: desc(cpuOf),
    mem: desc(memOf),
    elapsed: desc((j) => elapsedMs(j, now)),
    state: (a, b) => STATE_RANK[a.state.kind] - STATE_RANK[b.state.kind] || byId(a, b),
  };
  return [...jobs].sort(compare[key]);
}

/** Jobs whose id, name, owner, state, tags, flags or command contain the text (case does not matter). */
export function filterJobs(jobs: readonly TopJob[], text: string): TopJob[] {
  const needle = text.trim().toLowerCase();
  if (!needle) return [...jobs];
  return jobs.filter((j) => searchText(j).includes(needle));
}

function searchText(j: TopJob): string {
  return [String(j.id), j.name, ownerOf(j) ?? '', stateText(j), ...j.tags, ...j.flags.map((f) => f.kind), commandOf(j)].join('\u0000').toLowerCase();
}

export interface Row {
  id: number;
  cells: TopCells;
  state: JobStateKind;
  /** A flag of high severity, or health under 50: shown brighter. */
  alarming: boolean;
}

export interface TopCells {
  id: string;
  name: string;
  owner: string;
  state: string;
  health: string;
  cpu: string;
  mem: string;
  elapsed: string;
  flags: string;
  command: string;
}

/** One row's texts (control characters in names and commands shown escaped, never sent to the terminal). */
export function rowOf(job: TopJob, now: number): Row {
  const cpu = cpuOf(job);
  const mem = memOf(job);
  const health = hasLiveProcess(job.state) && job.health ? job.health.score : null;
  return {
    id: job.id,
    state: job.state.kind,
    alarming: job.flags.some((f) => f.severity === 'high') || (health !== null && health < 50),
    cells: {
      id: String(job.id),
      name: clean(job.name),
      owner: clean(ownerOf(job) ?? '-'),
      state: stateText(job),
      health: health === null ? '-' : String(health),
      cpu: cpu === null ? '-' : `${cpu.toFixed(cpu < 10 ? 1 : 0)}%`,
      mem: mem === null ? '-' : formatBytes(mem),
      elapsed: hasLiveProcess(job.state) || isTerminal(job.state) ? elapsed(job, now) : job.state.kind === 'queued' ? `q ${formatDuration(now - job.state.queuedAt)}` : '-',
      flags: clean(flagText(job)),
      command: commandOf(job),
    },
  };
}

function clean(text: string): string {
  return text.replace(/\p{Cc}/gu, '?');
}
