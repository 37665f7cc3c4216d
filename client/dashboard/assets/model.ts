// The page's view of a job (the fields of GET /api/jobs it uses) and the pure decisions on it:
// elapsed time, sorting, filtering and the stats grid's cells. No DOM here, so unit tests run it.

export const STATES = ['starting', 'queued', 'running', 'paused', 'completed', 'failed', 'killed', 'timed_out', 'lost'] as const;
/** The flags the grid counts; zombies and leftovers share a cell. */
export const FLAG_CELLS = [
  { key: 'time_sink', label: 'time sinks', kinds: ['time_sink'] },
  { key: 'bottleneck', label: 'bottlenecks', kinds: ['bottleneck'] },
  { key: 'stuck', label: 'stuck', kinds: ['stuck'] },
  { key: 'leftovers', label: 'leftovers / zombies', kinds: ['leftovers', 'zombie'] },
] as const;
export const LIVE = new Set(['queued', 'starting', 'running', 'paused']);

export interface JobRow {
  id: number;
  name: string;
  owner?: { name: string } | null;
  state: { kind: string; startedAt?: number; endedAt?: number; since?: number; queuedAt?: number; pausedAt?: number; reason?: { kind: string; at?: number; detail: string } };
  spec?: {
    command?: { kind: string; argv?: string[]; script?: string };
    group?: string;
    priority?: number;
    after?: { job: number; ref: string; condition: string }[];
    /** Set on jobs `procd up` started from a procd.yaml. */
    declared?: { project: string; entry: string; file: string };
  };
  /** A queued job's place in its group and what it waits for. */
  standing?: { waitsFor: string; detail: string; position: number };
  health?: { score: number; reasons: { why: string }[] };
  flags?: { kind: string; severity?: string }[];
  ports?: { port: number; protocol: string; address: string }[];
  resources?: { last: { cpuPercent: number | null; rssBytes: number } | null } | null;
}

export function commandText(job: JobRow): string {
  const c = job.spec?.command;
  return c?.script ?? c?.argv?.join(' ') ?? '';
}

/** How long it has run (to `now` while live, to its end after); null before it started. */
export function elapsedMs(job: JobRow, now: number): number | null {
  const s = job.state;
  const from = s.startedAt ?? s.since ?? null;
  if (from === null) return null;
  return (s.endedAt ?? now) - from;
}

export const cpuOf = (job: JobRow): number | null => job.resources?.last?.cpuPercent ?? null;
export const rssOf = (job: JobRow): number | null => job.resources?.last?.rssBytes ?? null;

export type SortKey = 'id' | 'name' | 'owner' | 'state' | 'health' | 'command' | 'elapsed' | 'cpu' | 'memory';
export interface SortOrder {
  key: SortKey;
  descending: boolean;
}

function sortValue(job: JobRow, key: SortKey, now: number): string | number | null {
  switch (key) {
    case 'id': return job.id;
    case 'name': return job.name.toLowerCase();
    case 'owner': return job.owner?.name.toLowerCase() ?? null;
    case 'state': return STATES.indexOf(job.state.kind as (typeof STATES)[number]);
    case 'health': return job.health?.score ?? null;
    case 'command': return commandText(job).toLowerCase();
    case 'elapsed': return elapsedMs(job, now);
    case 'cpu': return cpuOf(job);
    case 'memory': return rssOf(job);
  }
}

/** A sorted copy; jobs without a value go last either way, ties by id (newest first). */
export function sortJobs(jobs: readonly JobRow[], order: SortOrder, now: number): JobRow[] {
  const dir = order.descending ? -1 : 1;
  return jobs
    .map((job) => ({ job, v: sortValue(job, order.key, now) }))
    .sort((a, b) => {
      if (a.v === null || b.v === null) return a.v === b.v ? b.job.id - a.job.id : a.v === null ? 1 : -1;
      if (a.v < b.v) return -dir;
      if (a.v > b.v) return dir;
      return b.job.id - a.job.id;
    })
    .map((x) => x.job);
}

/** The filter word that keeps only one project's jobs (`project:shop`): the projects panel sets it. */
export const PROJECT_FILTER = 'project:';

/**
 * Every word of the filter must appear in the job's id, name, owner, state, command, flags, ports,
 * group or project; a `project:NAME` word keeps exactly that project's jobs.
 */
export function filterJobs(jobs: readonly JobRow[], filter: string): JobRow[] {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...jobs];
  return jobs.filter((job) => {
    const project = job.spec?.declared?.project ?? '';
    const hay = [String(job.id), job.name, job.owner?.name ?? '', job.state.kind, commandText(job), ...(job.flags ?? []).map((f) => f.kind), ...(job.ports ?? []).map((p) => String(p.port)), job.spec?.group ?? '', project]
      .join(' ')
      .toLowerCase();
    return words.every((w) => (w.startsWith(PROJECT_FILTER) && w.length > PROJECT_FILTER.length ? project.toLowerCase() === w.slice(PROJECT_FILTER.length) : hay.includes(w)));
  });
}

/** What the grid reads of GET /api/stats (the daemon's `stats`): jobs per state, raised flags per kind. */
export interface StatsCounts {
  states: Record<string, number>;
  flags: Record<string, number>;
}

/**
 * The stats grid's cells from the daemon's counts (every job it keeps, not only those the page
 * lists): one per state, one per flag cell (zombies and leftovers summed: it counts flags).
 */
export function statsCells(stats: StatsCounts): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const s of STATES) counts[s] = stats.states[s] ?? 0;
  for (const c of FLAG_CELLS) counts[c.key] = c.kinds.reduce((n, k) => n + (stats.flags[k] ?? 0), 0);
  return counts;
}

/** Which actions a row offers (none when read-only). */
export function actionsFor(job: JobRow, readOnly: boolean): string[] {
  if (readOnly) return [];
  const k = job.state.kind;
  const out: string[] = [];
  if (LIVE.has(k)) out.push('kill');
  out.push('restart');
  if (k === 'running') out.push('pause');
  if (k === 'paused') out.push('resume');
  return out;
}

const RANK: Record<string, number> = { high: 0, medium: 1, low: 2 };

/** Recommendations in priority order (high first), the order given kept within a priority. */
export function byPriority<T extends { priority: string }>(recs: readonly T[]): T[] {
  return recs.map((r, i) => ({ r, i })).sort((a, b) => (RANK[a.r.priority] ?? 3) - (RANK[b.r.priority] ?? 3) || a.i - b.i).map((x) => x.r);
}
