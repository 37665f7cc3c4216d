// The projects view's decisions, pure (no DOM): the jobs `procd up` started from a procd.yaml
// (their spec's `declared`) gathered by project, one row per entry, with what each waits for.

import { LIVE, type JobRow } from './model.js';

export interface ProjectEntry {
  entry: string;
  job: JobRow;
  /** Its `after` dependencies in words: `db (started)`, an entry of the same project by its short name. */
  after: string[];
}

export interface ProjectView {
  name: string;
  /** The procd.yaml its newest job came from. */
  file: string;
  entries: ProjectEntry[];
  /** `3 entries: 2 running, 1 queued`. */
  summary: string;
}

/**
 * Projects by name, each with one row per entry: the entry's live job, or its newest one when none
 * is live (an old finished run of a restarted entry is not shown twice). Entries in the order they
 * were started (by id: `up` starts dependencies first).
 */
export function projectViews(jobs: Iterable<JobRow>): ProjectView[] {
  const all = [...jobs];
  const byId = new Map(all.map((j) => [j.id, j]));
  const projects = new Map<string, Map<string, JobRow>>();
  for (const job of all) {
    const d = job.spec?.declared;
    if (!d) continue;
    const entries = projects.get(d.project) ?? new Map<string, JobRow>();
    projects.set(d.project, entries);
    const had = entries.get(d.entry);
    if (!had || rank(job) > rank(had)) entries.set(d.entry, job);
  }
  return [...projects.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, entries]) => {
      const rows = [...entries.values()].sort((a, b) => a.id - b.id);
      const newest = rows.reduce((a, b) => (b.id > a.id ? b : a));
      return {
        name,
        file: newest.spec?.declared?.file ?? '',
        entries: rows.map((job) => ({ entry: job.spec!.declared!.entry, job, after: afterWords(job, name, byId) })),
        summary: summaryOf(rows),
      };
    });
}

/** Live beats finished, then newer beats older. */
const rank = (job: JobRow): number => (LIVE.has(job.state.kind) ? 1e15 : 0) + job.id;

function afterWords(job: JobRow, project: string, byId: ReadonlyMap<number, JobRow>): string[] {
  return (job.spec?.after ?? []).map((d) => {
    const dep = byId.get(d.job)?.spec?.declared;
    const who = dep && dep.project === project ? dep.entry : d.ref;
    return d.condition === 'completed' ? who : `${who} (${d.condition})`;
  });
}

function summaryOf(rows: readonly JobRow[]): string {
  const states = new Map<string, number>();
  for (const j of rows) states.set(j.state.kind, (states.get(j.state.kind) ?? 0) + 1);
  const parts = [...states.entries()].map(([s, n]) => `${n} ${s.replace(/_/g, ' ')}`);
  return `${rows.length} ${rows.length === 1 ? 'entry' : 'entries'}: ${parts.join(', ')}`;
}
