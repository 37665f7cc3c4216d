import type { ParamsOf, ResultOf } from '../../shared/methods.js';
import type { DaemonContext } from './context.js';

/** pause: freeze whole jobs (cgroup.freeze, else SIGSTOP to each process once); one item per job given. */
export function pause(ctx: DaemonContext, params: ParamsOf<'pause'>): Promise<ResultOf<'pause'>> {
  return ctx.supervisor.pauseOrResume(params.jobs, 'pause');
}

/** resume: thaw whole jobs the way they were paused; one item per job given. */
export function resume(ctx: DaemonContext, params: ParamsOf<'resume'>): Promise<ResultOf<'resume'>> {
  return ctx.supervisor.pauseOrResume(params.jobs, 'resume');
}
