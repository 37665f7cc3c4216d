// The supervisor: a thin coordinator over the modules that start jobs (starter + launcher),
// learn their ends (end watcher), stop them (stopper), wait for them (waits) and recover them
// after a daemon restart (recovery). All state changes go through the job table.

import { ErrorCode, ProcdError } from '../../shared/errors.js';
import { hasLiveProcess, isLive, isTerminal, type Job, type JobId, type KillRecord } from '../../shared/job.js';
import type { LimitKind } from '../../shared/limits.js';
import type { JobRef, KillOutcome, KillResult, ParamsOf, PauseOutcome, RemoveResult, RestartOutcome, WaitResult } from '../../shared/methods.js';
import type { Logger } from '../logger.js';
import type { CallContext } from '../server/dispatch.js';
import type { StateStore } from '../store/state-store.js';
import { Deadlines } from './deadlines.js';
import { EndWatcher } from './end-watcher.js';
import { stopPlanOf } from './job-spec.js';
import type { JobTable } from './job-table.js';
import { PerlShimLauncher, type Launcher } from './launcher.js';
import { awaitOutputClosed, refreshOutput } from './output-figures.js';
import type { PauseRequest } from './pause-plan.js';
import { recover, type RecoveryCounts } from './recovery-run.js';
import { Restarter } from './restarter.js';
import { removeRunOutput, runsToPrune } from './run-output-prune.js';
import { afterRunEnd } from './run-end.js';
import { Starter, type QueueGate, type TrackOutcome } from './starter.js';
import type { JobOwner } from '../../shared/owner.js';
import { prunableJobs, removeJobs, type RemoveOptions } from './remove.js';
import { Stopper, type StopResult } from './stopper.js';
import { persistQuietlyWith, type SupervisorContext, type SupervisorOptions } from './supervisor-context.js';
import { waitFor } from './waits.js';

export type { SupervisorOptions } from './supervisor-context.js';

export interface SupervisorDeps {
  launcher?: Launcher;
  deadlines?: Deadlines;
}

export class Supervisor {
  private readonly ctx: SupervisorContext;
  private readonly ends: EndWatcher;
  private readonly stopper: Stopper;
  private readonly starter: Starter;
  private readonly restarter: Restarter;
  readonly launcher: Launcher;

  constructor(
    private readonly table: JobTable,
    store: StateStore,
    logger: Logger,
    opts: SupervisorOptions,
    deps: SupervisorDeps = {},
  ) {
    this.ctx = { table, store, logger, opts, deadlines: deps.deadlines ?? new Deadlines(), persistQuietly: persistQuietlyWith(store, logger) };
    this.launcher = deps.launcher ?? new PerlShimLauncher();
    this.ends = new EndWatcher(this.ctx);
    this.stopper = new Stopper(this.ctx, this.ends);
    this.starter = new Starter(this.ctx, this.launcher, this.ends, this.stopper);
    this.restarter = new Restarter(this.ctx, this.stopper, this.starter);
    // Restart policies: decided in the change that ends a run; the next run is armed here.
    table.runEndPolicy = (job, ended) => afterRunEnd(job, ended, this.ctx.deadlines.now(), Math.random);
    table.on('change', ({ job, previous }) => {
      if (job.state.kind !== 'queued' || job.state.reason.kind !== 'restart' || previous === null || previous === 'queued') return;
      logger.info({ job: job.id, name: job.name, run: job.state.reason.run, at: job.state.reason.at, delayMs: job.state.reason.delayMs }, job.state.reason.detail);
      this.starter.schedule(job);
      void this.pruneRunOutput(job.id).catch((err: unknown) => logger.warn({ err, job: job.id }, "could not remove an earlier run's output"));
    });
  }

  /** Only the last runs keep their output (run-output-prune.ts); the records say which lost it. */
  private async pruneRunOutput(id: JobId): Promise<void> {
    const job = this.table.get(id);
    const prune = job ? runsToPrune(job) : [];
    if (!prune.length) return;
    await Promise.all(prune.map((r) => removeRunOutput(r)));
    const gone = new Set(prune.map((r) => r.run));
    this.table.update(id, (j) => (j.runs ? { runs: { ...j.runs, earlier: j.runs.earlier.map((r) => (gone.has(r.run) ? { ...r, outputRemoved: true } : r)) } } : {}));
    await this.ctx.persistQuietly('earlier runs pruned');
  }

  /** The queue decides when waiting jobs start (daemon/queue/); without one every job starts at once. */
  attachQueue(queue: QueueGate): void {
    this.starter.queue = queue;
  }

  /** The queue's turn for a waiting job: launch it now. */
  launchQueued(job: Job): void {
    this.starter.schedule(job, this.ctx.deadlines.now(), true);
  }

  track(params: ParamsOf<'track'>, owner: JobOwner | null = null): Promise<TrackOutcome> {
    return this.starter.track(params, owner);
  }

  kill(refs: JobRef[], signal: string | number | undefined, graceMs: number | undefined): Promise<KillOutcome[]> {
    return this.stopper.kill(refs, signal, graceMs);
  }

  stop(id: JobId, signal: NodeJS.Signals, graceMs: number, reason: KillRecord['reason']): Promise<StopResult> {
    return this.stopper.stop(id, signal, graceMs, reason);
  }

  /** pause or resume: the whole job at once (freezer or SIGSTOP/SIGCONT); one item per ref. */
  pauseOrResume(refs: JobRef[], request: PauseRequest): Promise<PauseOutcome[]> {
    return this.stopper.pauser.request(refs, request);
  }

  /** Over a limit with --on-limit kill or restart: it ends failed, outcome `limit`. */
  stopForLimit(id: JobId, limit: LimitKind): Promise<StopResult> {
    return this.stopWithOwnPlan(id, 'limit', limit);
  }

  /** Its liveness probe failed and it has a restart policy: it ends failed (unhealthy, detail liveness) and restarts. */
  stopUnhealthy(id: JobId): Promise<StopResult> {
    return this.stopWithOwnPlan(id, 'liveness');
  }

  /** A stop procd decides on: the job's own stop signal and grace, as for every stop procd makes. */
  private stopWithOwnPlan(id: JobId, reason: 'limit' | 'liveness', limit?: LimitKind): Promise<StopResult> {
    const job = this.table.get(id);
    const plan = job ? stopPlanOf(job.spec, this.ctx.opts.defaultGraceMs) : { signal: 'SIGTERM' as const, graceMs: this.ctx.opts.defaultGraceMs };
    return this.stopper.stop(id, plan.signal, plan.graceMs, reason, null, limit);
  }

  /** restart: stop a live run (its own stop plan, or the one asked), then the next run under the same id; one item per ref. */
  restart(refs: JobRef[], signal: string | number | undefined, graceMs: number | undefined): Promise<RestartOutcome[]> {
    return this.restarter.restart(refs, { signal, graceMs });
  }

  /** At daemon start, after readopt: `always` services that `daemon stop` stopped run again. */
  resurrect(): Job[] {
    return this.restarter.resurrect();
  }

  signal(ref: JobRef, signal: string | number): Promise<{ id: JobId; signal: string; signalled: number[] }> {
    return this.stopper.signal(ref, signal);
  }

  adoptedGone(id: JobId): void {
    this.ends.adoptedGone(id);
  }

  refreshOutput(id: JobId): Promise<Job | undefined> {
    return refreshOutput(this.table, id);
  }

  async wait(refs: JobRef[], timeoutMs: number | undefined, call: CallContext): Promise<{ jobs: Job[]; timedOut: boolean }> {
    const ids = refs.map((ref) => this.table.resolve(ref).id);
    const allEnded = (jobs: (Job | undefined)[]) => jobs.every((j) => !j || !isLive(j.state));
    const outcome = await waitFor(this.table, this.ctx.deadlines, ids, allEnded, { timeoutMs: timeoutMs ?? null, cancelled: call.closed });
    // A job stopped by procd ends before its kill procedure does (descendants may still need
    // SIGKILL): answer with the complete kill record, not the one in flight.
    await Promise.all(ids.map((id) => this.stopper.inProgress(id)?.catch(() => undefined)));
    // A waiter usually reads the output next: let the shims finish draining it first (bounded).
    await Promise.all(ids.map((id) => awaitOutputClosed(this.table, id, 2000)));
    const removed = ids.filter((id) => !this.table.get(id));
    if (removed.length && !call.isClosed()) {
      throw new ProcdError(ErrorCode.JobNotFound, `job ${removed.join(', ')} was removed while waiting for it; its exit status is gone with the record`, {
        job: removed[0],
        removed,
      });
    }
    const jobs = ids.map((id) => this.table.get(id)).filter((j): j is Job => j !== undefined);
    return { jobs, timedOut: outcome === 'timeout' && !allEnded(jobs) };
  }

  /** rm: removes the jobs given (live ones only with force, which stops them first); reports the others. */
  remove(refs: JobRef[], opts: RemoveOptions): Promise<RemoveResult> {
    return removeJobs(this.ctx, this.stopper, refs, opts);
  }

  async prune(olderThanMs: number | undefined, dryRun: boolean): Promise<Omit<RemoveResult, 'failed'>> {
    const old = prunableJobs(this.table.all(), olderThanMs, Date.now());
    const { failed: _none, ...result } = await this.remove(old, { force: false, dryRun });
    return result;
  }

  /** Takes over jobs a previous daemon left: records ends that happened meanwhile, watches the rest. */
  readopt(): Promise<RecoveryCounts> {
    return recover(this.ctx, this.ends, this.stopper, this.starter);
  }

  runningJobs(): Job[] {
    return [...this.table.all()].filter((j) => hasLiveProcess(j.state));
  }

  /**
   * Stops every running job and cancels every queued one (unless keepJobs: then the next daemon
   * re-adopts the running ones and starts the queued ones at their time), and clears timers.
   */
  async shutdown(keepJobs: boolean): Promise<number> {
    this.starter.queue?.stop();
    this.ctx.deadlines.cancelAll('timeout:');
    this.ctx.deadlines.cancelAll('queue:');
    if (!keepJobs) {
      const queued = [...this.table.all()].filter((j) => j.state.kind === 'queued');
      await Promise.all(queued.map((j) => this.stopper.cancel(j.id, 'SIGTERM', 'shutdown').catch(() => undefined)));
      // A job whose shim is launching it is stopped once its process exists, not left behind.
      await this.stopper.settleStarts([...this.table.all()].map((j) => j.id));
    }
    const running = keepJobs ? [] : this.runningJobs();
    // Polling stays on while stopping: it is how the end of a re-adopted job (no shim channel) is seen.
    // Each with its own stop signal and grace (`track --stop-signal/--grace`).
    await Promise.all(
      running.map((j) => {
        const plan = stopPlanOf(j.spec, this.ctx.opts.defaultGraceMs);
        return this.stopper.stop(j.id, plan.signal, plan.graceMs, 'shutdown').catch(() => undefined);
      }),
    );
    this.ends.stop();
    this.launcher.close?.(); // the fork server goes with the daemon; shims run on
    return running.length;
  }
}
