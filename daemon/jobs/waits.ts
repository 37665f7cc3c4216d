// One way to wait for jobs: resolve when a predicate over the job table holds, when a deadline
// passes, or when the caller goes away. Kill, wait, the launcher and recovery all use it.

import type { Job, JobId } from '../../shared/job.js';
import type { Deadlines } from './deadlines.js';
import type { JobTable } from './job-table.js';

export type WaitOutcome = 'met' | 'timeout' | 'cancelled';

export interface WaitOptions {
  /** Give up after this long (null: no limit; any length, also beyond 2^31−1 ms). */
  timeoutMs: number | null;
  /** Resolves when the waiter is gone (its connection closed): the wait ends as `cancelled`. */
  cancelled?: Promise<unknown>;
}

let nextWaitKey = 0;

/**
 * Runs `act` when `cancelled` resolves, until the returned detach is called. A connection's
 * `closed` promise lives as long as the connection: a plain `.then(act)` would keep every finished
 * wait's closure (its jobs, its watches) alive until the client goes (an MCP server waits many times
 * on one connection); after detach the promise holds only an empty cell.
 */
export function onceCancelled(cancelled: Promise<unknown> | undefined, act: () => void): () => void {
  const cell: { act: (() => void) | null } = { act };
  void cancelled?.then(() => cell.act?.());
  return () => {
    cell.act = null;
  };
}

/**
 * Resolves when `predicate(jobs)` holds for the jobs `ids` (a removed job is passed as undefined),
 * checked now and after every change of the table.
 */
export function waitFor(
  table: JobTable,
  deadlines: Deadlines,
  ids: readonly JobId[],
  predicate: (jobs: (Job | undefined)[]) => boolean,
  options: WaitOptions,
): Promise<WaitOutcome> {
  const check = () => predicate(ids.map((id) => table.get(id)));
  if (check()) return Promise.resolve('met');
  return new Promise((resolve) => {
    const key = `wait:${nextWaitKey++}`;
    let settled = false;
    let detach = () => {};
    const finish = (outcome: WaitOutcome) => {
      if (settled) return;
      settled = true;
      detach();
      deadlines.cancel(key);
      table.off('change', onChange);
      table.off('removed', onChange);
      resolve(outcome);
    };
    const onChange = () => {
      if (check()) finish('met');
    };
    table.on('change', onChange);
    table.on('removed', onChange);
    if (options.timeoutMs !== null) deadlines.after(key, options.timeoutMs, () => finish('timeout'));
    if (!settled) detach = onceCancelled(options.cancelled, () => finish('cancelled'));
  });
}
