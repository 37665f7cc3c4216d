// The groups-and-queues panel's decisions, pure (no DOM): each queue group (GET /api/groups) with
// its queued jobs in the order they will start, and why each waits, in words.

import type { JobRow } from './model.js';

/** One entry of GET /api/groups (the daemon's `group.ls`). */
export interface GroupRow {
  name: string;
  /** At most this many of its jobs run at once; null: no limit. */
  parallel: number | null;
  paused: boolean;
  running: number;
  queued: number;
}

export interface GroupQueue {
  group: GroupRow;
  /** Its queued jobs, next to start first. */
  queue: JobRow[];
}

export const DEFAULT_GROUP = 'default';

/** The event kinds after which the groups' counts may have changed (a job entered, left or moved in a queue). */
const GROUP_NEWS = new Set(['job.state', 'job.started', 'job.removed', 'subscription.gap', 'reload']);
export const touchesGroups = (kind: string): boolean => GROUP_NEWS.has(kind);

/**
 * The order the queue will start them: the daemon's place in the group when it gave one (it
 * applies priority, ageing and arrival), else priority (higher first), then arrival, then id.
 * Jobs waiting for dependencies have no place (0) and come after those that do.
 */
export function queueOrder(jobs: readonly JobRow[]): JobRow[] {
  const place = (j: JobRow) => (j.standing && j.standing.position > 0 ? j.standing.position : Infinity);
  return [...jobs].sort(
    (a, b) =>
      place(a) - place(b) ||
      (b.spec?.priority ?? 0) - (a.spec?.priority ?? 0) ||
      (a.state.queuedAt ?? 0) - (b.state.queuedAt ?? 0) ||
      a.id - b.id,
  );
}

/** Groups in the daemon's order (the default group first), each with its queued jobs. */
export function groupQueues(groups: readonly GroupRow[], jobs: Iterable<JobRow>): GroupQueue[] {
  const queued = new Map<string, JobRow[]>();
  for (const job of jobs) {
    if (job.state.kind !== 'queued') continue;
    const g = job.spec?.group ?? DEFAULT_GROUP;
    queued.set(g, [...(queued.get(g) ?? []), job]);
  }
  const ordered = [...groups].sort((a, b) => Number(b.name === DEFAULT_GROUP) - Number(a.name === DEFAULT_GROUP));
  return ordered.map((group) => ({ group, queue: queueOrder(queued.get(group.name) ?? []) }));
}

/** `2 of 3 running`, `1 running (no limit)`. */
export function slotsText(g: GroupRow): string {
  return g.parallel === null ? `${g.running} running (no limit)` : `${g.running} of ${g.parallel} running`;
}

/** Why a queued job has not started, said plainly. */
export function queueReason(job: JobRow, now: number, formatTime: (at: number) => string): string {
  const reason = job.state.reason;
  if (reason?.kind === 'not_before' && reason.at !== undefined && reason.at > now) return `not before ${formatTime(reason.at)}`;
  if (reason?.kind === 'restart' && reason.at !== undefined && reason.at > now) return `restarting at ${formatTime(reason.at)} (backoff)`;
  const s = job.standing;
  if (!s) return reason?.detail ?? 'waiting';
  switch (s.waitsFor) {
    case 'dependencies': {
      const deps = (job.spec?.after ?? []).map((d) => `${d.ref}${d.condition === 'completed' ? '' : ` (${d.condition})`}`);
      return `waiting for after deps${deps.length ? `: ${deps.join(', ')}` : ''} — ${s.detail}`;
    }
    case 'slot':
      return `#${s.position} waiting for a slot — ${s.detail}`;
    case 'paused_group':
      return `#${s.position} group paused`;
    default:
      return `#${s.position} ${s.detail}`;
  }
}

/** What to POST to /api/groups/NAME for the parallel box's text: a number ≥ 1, or empty for no limit; null when it is neither. */
export function parallelChange(text: string): { parallel: number | null } | null {
  const t = text.trim();
  if (t === '' || t === 'none') return { parallel: null };
  if (!/^\d{1,7}$/.test(t) || Number(t) < 1) return null;
  return { parallel: Number(t) };
}
