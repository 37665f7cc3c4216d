// How the queue reads in `ls` and `status`: a waiting job's place and what it waits for, its group
// and priority, and the jobs it depends on.

import type { JobSummary } from '../../shared/job.js';
import { DEFAULT_GROUP, priorityText } from '../../shared/queue.js';

type Queued = Pick<JobSummary, 'state' | 'standing'> & { spec: Pick<JobSummary['spec'], 'group' | 'priority' | 'after'> };

const SHORT: Record<NonNullable<JobSummary['standing']>['waitsFor'], string> = { dependencies: 'after', slot: 'slot', paused_group: 'paused', resources: 'resources' };

/** ls's STATE suffix for a job waiting in the queue: ` #2 slot`, ` after`. */
export function queueSuffix(job: Queued): string {
  const s = job.standing;
  if (job.state.kind !== 'queued' || !s) return '';
  return s.waitsFor === 'dependencies' ? ` (${SHORT[s.waitsFor]})` : ` #${s.position} (${SHORT[s.waitsFor]})`;
}

/** status rows: group, priority, dependencies, and a waiting job's place. */
export function queueRows(job: Queued): [string, string][] {
  const rows: [string, string][] = [];
  const { group, priority, after } = job.spec;
  if (group !== undefined && group !== DEFAULT_GROUP) rows.push(['group', group]);
  if (priority !== undefined && priority !== 0) rows.push(['priority', priorityText(priority)]);
  for (const d of after ?? []) rows.push(['after', `job ${d.job}${d.ref !== String(d.job) ? ` (${d.ref})` : ''}: ${d.condition}`]);
  const s = job.standing;
  if (job.state.kind === 'queued' && s) rows.push(['waits for', s.waitsFor === 'dependencies' ? s.detail : `${s.detail}; number ${s.position} in group ${group ?? DEFAULT_GROUP}`]);
  return rows;
}

/**
 * `ls --tree`: each job under the first listed job it depends on (`--after`), dependants indented
 * with `└ ` by depth; the others in their order. Dependencies always exist before their dependants,
 * so there is no cycle; a job is shown once whatever happens.
 */
export function treeOrder<J extends Pick<JobSummary, 'id'> & { spec: Pick<JobSummary['spec'], 'after'> }>(jobs: readonly J[]): { job: J; depth: number }[] {
  const listed = new Set(jobs.map((j) => j.id));
  const parentOf = (j: J) => j.spec.after?.find((d) => listed.has(d.job) && d.job !== j.id)?.job ?? null;
  const children = new Map<number, J[]>();
  for (const j of jobs) {
    const p = parentOf(j);
    if (p !== null) children.set(p, [...(children.get(p) ?? []), j]);
  }
  const out: { job: J; depth: number }[] = [];
  const seen = new Set<number>();
  const visit = (j: J, depth: number) => {
    if (seen.has(j.id)) return;
    seen.add(j.id);
    out.push({ job: j, depth });
    for (const c of children.get(j.id) ?? []) visit(c, depth + 1);
  };
  for (const j of jobs) if (parentOf(j) === null) visit(j, 0);
  for (const j of jobs) visit(j, 0);
  return out;
}

/** A name indented for its depth in `ls --tree`. */
export function treeName(name: string, depth: number): string {
  return depth === 0 ? name : `${'  '.repeat(depth - 1)}└ ${name}`;
}
