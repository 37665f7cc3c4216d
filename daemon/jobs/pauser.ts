// Pause and resume a whole job at once: its cgroup frozen (cgroup.freeze) where it has one, else
// SIGSTOP / SIGCONT to every process of the job exactly once (membersOf over one process-table
// pass, one signal plan). The pure decisions (what a request does to a job in a given state) are
// in pause-plan.ts; this is the acting layer. The state records how a job was paused, so resume,
// kill and recovery undo or re-assert it the same way.

import { ErrorCode, ProcdError } from '../../shared/errors.js';
import type { Job, JobId, PauseMethod } from '../../shared/job.js';
import type { JobRef, PauseOutcome } from '../../shared/methods.js';
import { cgroupNameOf, hasFreezer, isPopulated, parseProcs, setFrozen } from '../cgroup/job-cgroup.js';
import { membersOf, type ProcessSnapshots } from '../monitor/job-processes.js';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pollDelayMs, signalJob } from './kill-tree.js';
import { readIdentity } from '../proc/process-table.js';
import { setTimeout as delay } from 'node:timers/promises';
import { refreshOutput } from './output-figures.js';
import { pauseStep, notStopped, type PauseRequest } from './pause-plan.js';
import { isFailure, refFailure, resolveEach } from './ref-failure.js';
import { timeoutKey, type SupervisorContext } from './supervisor-context.js';

/** How long the kernel gets to report a cgroup frozen (or thawed) before the pause is given up. */
export const FREEZE_WAIT_MS = 5000;
/** How long a pause by signals waits for the kernel to show each signalled process stopped. */
const STOP_WAIT_MS = 2000;

/**
 * A SIGSTOP takes effect when its process next runs (on a busy machine, a moment after kill()
 * returned): wait, bounded, until each signalled process shows stopped or is gone, so that the
 * answer "paused" means stopped, as the freezer's does.
 */
async function untilStopped(pids: readonly number[]): Promise<void> {
  const deadline = Date.now() + STOP_WAIT_MS;
  let left = [...pids];
  for (let n = 0; left.length > 0 && Date.now() < deadline; n++) {
    const states = await Promise.all(left.map((pid) => readIdentity(pid)));
    left = left.filter((_, i) => {
      const state = states[i]?.state;
      return state !== undefined && !['T', 't', 'Z', 'X', 'x'].includes(state);
    });
    if (left.length > 0) await delay(pollDelayMs(n, 25));
  }
}

export interface PauserHooks {
  /** Waits until none of these jobs is still `starting` (a pause right after track acts on the process). */
  settleStarts(ids: readonly JobId[]): Promise<void>;
  /** Re-arms the job's --timeout from its state (paused time left out). */
  armTimeout(job: Job): void;
  /** Whether a stop of the job is under way (a job being stopped is not paused). */
  stopping(id: JobId): boolean;
}

export class Pauser {
  /** One pause or resume at a time per job: a second request waits for the first. */
  private readonly busy = new Map<JobId, Promise<unknown>>();

  constructor(
    private readonly ctx: SupervisorContext,
    private readonly snapshots: ProcessSnapshots,
    private readonly hooks: PauserHooks,
  ) {}

  /** pause or resume each job given; one item per ref in order, a failure never stops the others. */
  async request(refs: JobRef[], request: PauseRequest): Promise<PauseOutcome[]> {
    const { table, logger } = this.ctx;
    const resolved = resolveEach(table, refs, logger);
    await this.hooks.settleStarts(resolved.flatMap((r) => (isFailure(r) ? [] : [r.job.id])));
    return Promise.all(
      resolved.map(async (r): Promise<PauseOutcome> => {
        if (isFailure(r)) return r;
        try {
          return { ref: r.ref, ...(await this.serial(r.job.id, () => this.act(r.job.id, request))) };
        } catch (err) {
          return refFailure(r.ref, r.job.id, err, logger);
        }
      }),
    );
  }

  /** Before a paused job is stopped: thaw it (or SIGCONT each process once) so its stop signal can act. */
  async thawForStop(id: JobId): Promise<void> {
    await this.serial(id, async () => {
      const job = this.ctx.table.get(id);
      if (job?.state.kind !== 'paused') return;
      await this.unpause(job, job.state.pausedBy ?? (await this.methodFor(job)));
      // No timeout re-armed: the stop is under way.
      this.ctx.table.apply(id, { type: 'resume', at: this.ctx.deadlines.now(), lastOutputAt: job.output.lastOutputAt });
      this.ctx.logger.info({ job: id }, 'paused job resumed so that it can be stopped');
    });
  }

  /**
   * After a daemon restart, a job recorded paused stays paused: its cgroup is frozen again, or
   * each of its processes that is not stopped gets SIGSTOP (a crash between the record and the
   * signal; a process that was already stopped gets nothing more).
   */
  async reassert(job: Job): Promise<void> {
    await this.serial(job.id, () => this.stopAgain(job)).catch((err: unknown) => this.ctx.logger.error({ err, job: job.id }, 'could not keep the paused job paused'));
  }

  private async stopAgain(job: Job): Promise<void> {
    if (job.state.kind !== 'paused') return;
    if (job.state.pausedBy === 'freezer') {
      const cgroup = this.cgroupOf(job);
      // A frozen cgroup stays frozen without a daemon; only one this daemon can see is re-asserted.
      if (cgroup && (await hasFreezer(cgroup))) await setFrozen(cgroup, true, FREEZE_WAIT_MS);
      return;
    }
    const snapshot = await this.snapshots.take({ urgent: true });
    const running = notStopped(membersOf(job, snapshot), snapshot.table);
    for (const pid of running) trySignal(pid, 'SIGSTOP');
    if (running.length) this.ctx.logger.info({ job: job.id, pids: running }, 'paused job: processes found running after the restart were stopped again');
  }

  private async act(id: JobId, request: PauseRequest): Promise<Omit<Extract<PauseOutcome, { ok: true }>, 'ref'>> {
    const { table, logger } = this.ctx;
    const job = table.get(id);
    const step = pauseStep(job?.state ?? null, request, this.hooks.stopping(id));
    if (!job || step.kind === 'refuse') {
      throw new ProcdError(ErrorCode.JobNotRunning, `job ${id}${job ? ` (${job.name})` : ''} ${step.kind === 'refuse' ? step.why : 'was removed'}`, { id, state: job?.state.kind ?? 'removed' });
    }
    if (step.kind === 'already') {
      return { ok: true, id, state: job.state.kind, changed: false, method: job.state.kind === 'paused' ? (job.state.pausedBy ?? null) : null, pids: [] };
    }
    if (request === 'pause') {
      const method = await this.methodFor(job);
      // Recorded before acting: a crash in between leaves a paused record that recovery re-asserts,
      // never stopped processes recorded as running.
      this.recordPaused(id, method);
      await this.ctx.persistQuietly('pause');
      let pids: number[];
      try {
        pids = await this.freezeOrStop(job, method);
      } catch (err) {
        this.recordResumed(id, job.output.lastOutputAt);
        throw err;
      }
      logger.info({ job: id, method, pids }, 'job paused');
      return { ok: true, id, state: 'paused', changed: true, method, pids };
    }
    const method = job.state.kind === 'paused' ? (job.state.pausedBy ?? (await this.methodFor(job))) : 'signals';
    const pids = await this.unpause(job, method);
    const fresh = (await refreshOutput(table, id)) ?? job;
    const resumed = this.recordResumed(id, fresh.output.lastOutputAt);
    logger.info({ job: id, method, pids }, 'job resumed');
    return { ok: true, id, state: resumed?.state.kind ?? job.state.kind, changed: resumed !== null, method, pids };
  }

  /** The record of a pause: the state (with how), and the --timeout stops counting. */
  recordPaused(id: JobId, method: PauseMethod): Job | null {
    const paused = this.ctx.table.apply(id, { type: 'pause', at: this.ctx.deadlines.now(), by: method });
    if (paused) this.ctx.deadlines.cancel(timeoutKey(id));
    return paused;
  }

  /** The record of a resume: the state (paused time added up), and the --timeout re-armed without it. */
  recordResumed(id: JobId, lastOutputAt: number | null): Job | null {
    const resumed = this.ctx.table.apply(id, { type: 'resume', at: this.ctx.deadlines.now(), lastOutputAt });
    if (resumed) this.hooks.armTimeout(resumed);
    return resumed;
  }

  /** Freezes the job's cgroup (waiting for the kernel to report it) or SIGSTOPs each process once; the pids it reached. */
  private async freezeOrStop(job: Job, method: PauseMethod): Promise<number[]> {
    if (method === 'signals') {
      const signalled = await signalJob(this.snapshots, job, 'SIGSTOP');
      // A process started between the read and the signals outside the job's groups (a setsid'd
      // child): stopped too, once. Those already signalled are never signalled again.
      const again = await this.snapshots.take({ urgent: true });
      const reached = new Set(signalled);
      const late = notStopped(membersOf(job, again), again.table).filter((pid) => !reached.has(pid));
      for (const pid of late) trySignal(pid, 'SIGSTOP');
      const reachedAll = [...signalled, ...late].sort((a, b) => a - b);
      await untilStopped(reachedAll);
      return reachedAll;
    }
    const cgroup = this.cgroupOf(job)!;
    if (!(await setFrozen(cgroup, true, FREEZE_WAIT_MS))) {
      await setFrozen(cgroup, false, FREEZE_WAIT_MS).catch(() => false);
      throw new ProcdError(ErrorCode.PauseFailed, `job ${job.id} (${job.name}) could not be paused: the kernel did not report its cgroup frozen within ${FREEZE_WAIT_MS / 1000}s (a process in uninterruptible sleep?); it was thawed again, try once more`, {
        id: job.id,
        cgroup,
      });
    }
    return cgroupPids(cgroup);
  }

  /** Thaws the cgroup or SIGCONTs each process once; the pids it reached. */
  private async unpause(job: Job, method: PauseMethod): Promise<number[]> {
    if (method === 'signals') return signalJob(this.snapshots, job, 'SIGCONT');
    const cgroup = this.cgroupOf(job);
    if (!cgroup) {
      throw new ProcdError(ErrorCode.PauseFailed, `job ${job.id} (${job.name}) was paused by freezing its cgroup, and this daemon runs without cgroups (PROCD_CONTAINMENT): start the daemon with cgroups to resume it`, { id: job.id });
    }
    if (!(await setFrozen(cgroup, false, FREEZE_WAIT_MS))) {
      throw new ProcdError(ErrorCode.PauseFailed, `job ${job.id} (${job.name}) could not be resumed: the kernel did not report its cgroup thawed within ${FREEZE_WAIT_MS / 1000}s; try once more`, { id: job.id, cgroup });
    }
    return cgroupPids(cgroup);
  }

  /** The freezer where the job has a cgroup of its own holding its processes; signals otherwise. */
  private async methodFor(job: Job): Promise<PauseMethod> {
    const cgroup = this.cgroupOf(job);
    return cgroup && (await hasFreezer(cgroup)) && (await isPopulated(cgroup)) === true ? 'freezer' : 'signals';
  }

  private cgroupOf(job: Job): string | null {
    const root = this.ctx.opts.cgroupRoot ?? null;
    const name = cgroupNameOf(job);
    return root && name ? join(root, name) : null;
  }

  private serial<T>(id: JobId, fn: () => Promise<T>): Promise<T> {
    const before = this.busy.get(id) ?? Promise.resolve();
    const run = before.catch(() => undefined).then(fn);
    const settled = run.catch(() => undefined);
    this.busy.set(id, settled);
    void settled.then(() => {
      if (this.busy.get(id) === settled) this.busy.delete(id);
    });
    return run;
  }
}

async function cgroupPids(cgroup: string): Promise<number[]> {
  return parseProcs(await readFile(join(cgroup, 'cgroup.procs'), 'utf8').catch(() => '')).sort((a, b) => a - b);
}

function trySignal(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // gone
  }
}
