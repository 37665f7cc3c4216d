import type { CleanupResult, ParamsOf } from '../../shared/methods.js';
import { cleanup as runCleanup } from '../jobs/cleanup.js';
import type { DaemonContext } from './context.js';

/** cleanup: leftovers killed, zombies reported (parents stopped on request), old records pruned. */
export function cleanup(ctx: DaemonContext, params: ParamsOf<'cleanup'>): Promise<CleanupResult> {
  return runCleanup(ctx.table, ctx.supervisor, ctx.monitor, params, ctx.cleanupDefaults);
}
