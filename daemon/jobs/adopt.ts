// Adopting a process procd did not start: it is watched, sampled, flagged and killable like
// any job, but procd is not its parent — so its output is unknown (no stuck flag) and its exit
// status cannot be learned: when it ends on its own the job becomes `lost` with exitCode null.

import type { JobOwner } from '../../shared/owner.js';
import { mkdir, readlink, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, ProcdError } from '../../shared/errors.js';
import { hasLiveProcess, type Job, type JobId } from '../../shared/job.js';
import type { ParamsOf } from '../../shared/methods.js';
import { isDeadState, readCmdline, readProcessTable, startTimeMs, type ProcInfo, type ProcessTable } from '../proc/process-table.js';
import type { StateStore } from '../store/state-store.js';
import type { JobTable } from './job-table.js';
import { defaultJobName } from './names.js';

/** Finds the job (running, or finished with this process left over) a live pid belongs to. */
export type JobOwning = (pid: number) => Promise<Job | null>;

export async function adoptProcess(table: JobTable, store: StateStore, jobsDir: string, params: ParamsOf<'adopt'>, jobOwning: JobOwning, jobOwner: JobOwner | null = null): Promise<Job> {
  const { pid } = params;
  const fail = (message: string, reason: string) => new ProcdError(ErrorCode.AdoptFailed, message, { pid, reason });
  const proc = await checkAdoptable(table, params, jobOwning);
  const argv = (await readCmdline(pid)) ?? [];
  const cwd = await readlink(`/proc/${pid}/cwd`).catch(() => '/');
  // Checked again with no await before create: two adopts of one pid at the same instant both
  // passed the checks above, and must not both become jobs.
  const raced = [...table.all()].find((j) => hasLiveProcess(j.state) && j.state.pid === pid && j.state.startTicks === proc.startTicks);
  if (raced) throw fail(alreadyTracked(pid, raced), 'already_tracked');
  const job = table.create({
    name: params.name ?? table.freeName(defaultJobName(argv[0] ?? '', `pid-${pid}`)),
    description: params.description ?? null,
    tags: params.tags ?? [],
    spec: {
      command: { kind: 'adopted', argv, leadsGroup: proc.pgid === pid },
      kind: 'task',
      cwd,
      env: {},
      timeoutMs: null,
      expectMs: null,
      stuckAfterMs: 0,
      maxOutputBytes: 0,
      stopSignal: 'SIGTERM',
      stopGraceMs: null,
    },
    dirFor: (id: JobId) => join(jobsDir, String(id)),
    ...(jobOwner ? { owner: jobOwner } : {}),
  });
  const startedAt = startTimeMs(proc.startTicks);
  const adopted = table.apply(job.id, { type: 'started', at: Number.isFinite(startedAt) && startedAt > 0 ? startedAt : Date.now(), pid, startTicks: proc.startTicks, shimPid: null });
  await mkdir(job.dir, { recursive: true, mode: 0o700 });
  await store.flush();
  return adopted ?? job;
}

/** Every check adopt makes before creating the job (AdoptFailed when one fails): `kill --port --adopt` runs them on all holders before adopting any. */
export async function checkAdoptable(table: JobTable, params: Pick<ParamsOf<'adopt'>, 'pid' | 'callerPid' | 'force'>, jobOwning: JobOwning): Promise<ProcInfo> {
  const { pid } = params;
  const fail = (message: string, reason: string) => new ProcdError(ErrorCode.AdoptFailed, message, { pid, reason });
  if (pid === process.pid) throw fail(`pid ${pid} is the procd daemon itself`, 'self');
  // Killing an adopted job signals it and its descendants: for init or an ancestor of the daemon
  // (its service manager, say) that would take down the machine's or the daemon's own tree.
  if (pid === 1) throw fail('pid 1 is init: procd never supervises (or signals) it', 'init');
  const processes = await readProcessTable({ uid: false });
  if (ancestorsOf(processes, process.pid).includes(pid)) throw fail(`pid ${pid} is an ancestor of the procd daemon: stopping it would stop the daemon too`, 'ancestor');
  const proc = processes.get(pid);
  if (!proc) throw fail(`no process with pid ${pid}`, 'not_found');
  // `procd adopt $$` would hand the caller's own shell to procd: a later kill, rm --force or
  // daemon stop would end the session it was typed in. The client sends its pid (see README).
  if (params.callerPid !== undefined && !params.force && [params.callerPid, ...ancestorsOf(processes, params.callerPid)].includes(pid)) {
    const what = pid === params.callerPid ? 'the procd client that asked' : `an ancestor of the procd client that asked (pid ${params.callerPid}): your shell or what runs it`;
    throw fail(`pid ${pid} is ${what}; procd kill, rm --force or daemon stop would then stop it. Use --force (force: true) to adopt it anyway`, 'caller_ancestor');
  }
  if (isDeadState(proc.state)) throw fail(`pid ${pid} is a zombie: it has already exited and waits for its parent to reap it`, 'zombie');
  const owner = await ownerOf(pid);
  const me = typeof process.getuid === 'function' ? process.getuid() : owner;
  if (owner !== null && owner !== me) throw fail(`pid ${pid} belongs to uid ${owner}, not to you (uid ${me})`, 'other_user');
  const shimOf = [...table.all()].find((j) => hasLiveProcess(j.state) && j.state.shimPid === pid);
  if (shimOf) throw fail(`pid ${pid} is the procd shim of job ${shimOf.id} (${shimOf.name}): procd already owns it`, 'already_tracked');
  const tracked = await jobOwning(pid);
  if (tracked) throw fail(alreadyTracked(pid, tracked), 'already_tracked');
  // Jobs descend from the daemon too, but they were found above: what is left is procd's own.
  if (ancestorsOf(processes, pid).includes(process.pid)) throw fail(`pid ${pid} is a helper process of the procd daemon: procd already owns it`, 'already_tracked');
  return proc;
}

/** `pid`'s ancestors by parent links, nearest first (init included). */
function ancestorsOf(processes: ProcessTable, pid: number): number[] {
  const out: number[] = [];
  for (let p = processes.get(pid)?.ppid ?? 0; p > 0 && !out.includes(p); p = processes.get(p)?.ppid ?? 0) out.push(p);
  return out;
}

async function ownerOf(pid: number): Promise<number | null> {
  try {
    return (await stat(`/proc/${pid}`)).uid;
  } catch {
    return null;
  }
}

function alreadyTracked(pid: number, job: Job): string {
  const which = `job ${job.id} (${job.name})`;
  if (!hasLiveProcess(job.state)) return `pid ${pid} is already tracked: it is a leftover of the finished ${which}; \`procd cleanup\` ends it`;
  return job.state.pid === pid ? `pid ${pid} is already tracked as ${which}` : `pid ${pid} is already tracked as a process of ${which}`;
}
