import type { CountResult, ParamsOf } from '../../shared/methods.js';
import type { DaemonContext } from './context.js';

/** count: how many jobs a list filter matches, and how many finished ones the default list hides. */
export function count(ctx: DaemonContext, params: ParamsOf<'count'>): CountResult {
  return ctx.table.count(params);
}
