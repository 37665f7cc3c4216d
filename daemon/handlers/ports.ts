import type { ParamsOf } from '../../shared/methods.js';
import { findPortHolders, type PortHolder } from '../ports/holders.js';
import type { DaemonContext } from './context.js';

/** ports: every listening socket of the user's processes (procd's jobs and others), sorted by port. */
export async function ports(ctx: DaemonContext, params: ParamsOf<'ports'>): Promise<PortHolder[]> {
  return findPortHolders(ctx.table.all(), await ctx.monitor.snapshots.take(), params.all ?? false);
}
