// The queue's methods (issue 13): groups (set, rm, ls) and a job's priority.

import { setPriority as renice } from 'node:os';
import { hasLiveProcess } from '../../shared/job.js';
import type { ParamsOf, ResultOf } from '../../shared/methods.js';
import { priorityValue } from '../../shared/queue.js';
import { liveOnly } from '../monitor/queries.js';
import { membersOf } from '../monitor/job-processes.js';
import type { DaemonContext } from './context.js';

export function groupSet(ctx: DaemonContext, params: ParamsOf<'group.set'>): ResultOf<'group.set'> {
  const { name, ...change } = params;
  return ctx.queue.setGroup(name, change);
}

export function groupRm(ctx: DaemonContext, params: ParamsOf<'group.rm'>): ResultOf<'group.rm'> {
  ctx.queue.removeGroup(params.name);
  return { name: params.name, removed: true };
}

export function groupLs(ctx: DaemonContext): ResultOf<'group.ls'> {
  return ctx.queue.listGroups();
}

/** The nice value a priority maps to for a running job: the nearer of the named levels' (low 10, normal 0, high -5, critical -10). */
export function niceOf(priority: number): number {
  if (priority >= 20) return -10;
  if (priority >= 10) return -5;
  if (priority > -10) return 0;
  return 10;
}

export async function priority(ctx: DaemonContext, params: ParamsOf<'priority'>): Promise<ResultOf<'priority'>> {
  const job = ctx.table.resolve(params.job);
  const value = priorityValue(params.priority) ?? 0;
  const updated = ctx.table.setPriority(job.id, value) ?? job;
  const reniced: number[] = [];
  let error: string | undefined;
  if (hasLiveProcess(updated.state)) {
    const snapshot = await ctx.monitor.snapshots.take();
    for (const pid of liveOnly(membersOf(updated, snapshot), snapshot)) {
      try {
        renice(pid, niceOf(value));
        reniced.push(pid);
      } catch (err) {
        error ??= `could not renice pid ${pid} to ${niceOf(value)}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message} (a lower nice value needs privileges)`;
      }
    }
  }
  return { id: updated.id, priority: value, state: updated.state.kind, reniced, ...(error ? { error } : {}) };
}
