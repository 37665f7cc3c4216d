import { ErrorCode, ProcdError } from '../../shared/errors.js';
import type { JobId } from '../../shared/job.js';
import type { JobRef, KillOutcome, ParamsOf } from '../../shared/methods.js';
import { ownerOf, type JobOwner } from '../../shared/owner.js';
import type { PortProtocol } from '../../shared/ports.js';
import { adoptProcess, checkAdoptable } from '../jobs/adopt.js';
import { liveJobsOf } from '../jobs/owned.js';
import { releaseAdopted } from '../jobs/release.js';
import { findPortHolders } from '../ports/holders.js';
import { planPortKill, portKillError } from '../ports/kill-port.js';
import type { CallContext } from '../server/dispatch.js';
import type { DaemonContext } from './context.js';

/**
 * kill: the full stop (group + marked descendants, grace, SIGKILL); answers when they are gone.
 * `owner`: also every live job of that owner (one that ends meanwhile is not an error).
 * `port`: also the jobs holding that port (with `adopt`, a process procd does not supervise is adopted first).
 */
export async function kill(ctx: DaemonContext, params: ParamsOf<'kill'>, call: CallContext): Promise<KillOutcome[]> {
  if (!params.jobs && params.owner === undefined && params.port === undefined) throw new ProcdError(ErrorCode.InvalidParams, 'invalid params: give the jobs to stop (jobs), an owner whose live jobs to stop (owner), or a port whose holder to stop (port)', { field: 'params.jobs' });
  const given: JobRef[] = [...(params.jobs ?? [])];
  // Deduped by id, not by ref: `kill web --port 3000` names job 3 once by name, once by id.
  const ids = new Set(given.flatMap((ref) => idOf(ctx, ref)));
  const extra = (found: readonly JobId[]) => found.filter((id) => !ids.has(id) && ids.add(id));
  if (params.port !== undefined) {
    const adopter = { callerPid: params.callerPid, owner: ownerOf(params.owner, call.identity) };
    given.push(...extra(await jobsOnPort(ctx, params.port, params.protocol ?? 'tcp', params.adopt === true ? adopter : null)));
  }
  const owned = params.owner === undefined ? [] : extra(liveJobsOf(ctx.table.all(), params.owner));
  const results = await ctx.supervisor.kill([...given, ...owned], params.signal, params.graceMs);
  return results.filter((r, i) => i < given.length || r.ok || r.error.code !== ErrorCode.JobNotRunning);
}

/** The job a ref names, as ids ([] when none: the supervisor reports that ref as not found). */
function idOf(ctx: DaemonContext, ref: JobRef): JobId[] {
  try {
    return [ctx.table.resolve(ref).id];
  } catch {
    return [];
  }
}

interface Adopter {
  callerPid: number | undefined;
  owner: JobOwner | null;
}

/**
 * The jobs holding `port`, found now. With an adopter, processes procd does not supervise are
 * adopted first, all or none: each is checked before any is adopted, and if an adoption still
 * fails (the process changed meanwhile) those already adopted are released, nothing is stopped.
 */
async function jobsOnPort(ctx: DaemonContext, port: number, protocol: PortProtocol, adopter: Adopter | null): Promise<JobId[]> {
  const plan = planPortKill(await findPortHolders(ctx.table.all(), await ctx.monitor.snapshots.take(), true), port, protocol, adopter !== null);
  if (plan.kind !== 'stop') throw portKillError(plan, port, protocol);
  if (adopter === null || !plan.adopt.length) return plan.jobs;
  const jobOwning = (p: number) => ctx.monitor.jobOwning(p);
  const asked = (pid: number) => ({ pid, ...(adopter.callerPid !== undefined ? { callerPid: adopter.callerPid } : {}) });
  for (const pid of plan.adopt) await checkAdoptable(ctx.table, asked(pid), jobOwning);
  const adopted: JobId[] = [];
  try {
    for (const pid of plan.adopt) adopted.push((await adoptProcess(ctx.table, ctx.store, ctx.paths.jobsDir, asked(pid), jobOwning, adopter.owner)).id);
  } catch (err) {
    for (const id of adopted) releaseAdopted(ctx.table, id);
    await ctx.store.flush();
    throw err;
  }
  return [...plan.jobs, ...adopted];
}
