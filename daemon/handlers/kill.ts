import type { KillOutcome, ParamsOf } from '../../shared/methods.js';
import type { DaemonContext } from './context.js';

/** kill: the full stop (group + marked descendants, grace, SIGKILL); answers when they are gone. */
export function kill(ctx: DaemonContext, params: ParamsOf<'kill'>): Promise<KillOutcome[]> {
  return ctx.supervisor.kill(params.jobs, params.signal, params.graceMs);
}
