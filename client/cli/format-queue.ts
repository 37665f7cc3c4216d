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
