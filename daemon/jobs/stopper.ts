// The stopper: the kill procedure (signal the whole job, SIGKILL what is left after the grace,
// record who needed it), one-off signals, timeouts, and stops a previous daemon left unfinished.
// Pause and resume (pauser.ts) share its process-table snapshots.

import { ErrorCode, ProcdError } from '../../shared/errors.js';
import { hasLiveProcess, isTerminal, wasStopped, type Job, type JobId, type JobState, type KillRecord } from '../../shared/job.js';
import type { LimitKind } from '../../shared/limits.js';
import type { JobRef, KillOutcome, KillResult } from '../../shared/methods.js';
import { stopPlanOf } from './job-spec.js';
import { isFailure, refFailure, resolveEach } from './ref-failure.js';
import { parseSignal } from '../../shared/signals.js';
import { isAlive } from '../proc/process-table.js';
import { SHIM_WRITE_GRACE_MS, type EndWatcher } from './end-watcher.js';
import { KillSweeper, signalJob } from './kill-tree.js';
import { ProcessSnapshots } from '../monitor/job-processes.js';
import { timeoutDueAt } from './pause-clock.js';
import { Pauser } from './pauser.js';
import { queueKey, timeoutKey, type SupervisorContext } from './supervisor-context.js';
import { waitFor } from './waits.js';

/** What one job's kill procedure did (kill's answer adds the ref it was given as). */
export type StopResult = Omit<KillResult, 'ref' | 'ok'>;

/** How long a stopped job's shim gets to report the main process's end before the files are read. */
const END_REPORT_MS = 3000;
/** As long as the starter waits for a shim to report a start (starter.ts), plus a margin. */
const START_SETTLE_MS = 16_000;

export class Stopper {
  private readonly kills = new Map<JobId, Promise<StopResult>>();
  /** Process-table snapshots for signals and kills; stops requested together share one kill sweep. */
  private readonly snapshots: ProcessSnapshots;
  private readonly sweeper: KillSweeper;
  readonly pauser: Pauser;

  constructor(
    private readonly ctx: SupervisorContext,
    private readonly ends: EndWatcher,
  ) {
    this.snapshots = ctx.opts.snapshots ?? new ProcessSnapshots(ctx.opts.instance, ctx.opts.cgroupRoot ?? null);
    this.sweeper = new KillSweeper(this.snapshots);
    this.pauser = new Pauser(ctx, this.snapshots, {
      settleStarts: (ids) => this.settleStarts(ids),
      armTimeout: (job) => this.armTimeout(job),
      stopping: (id) => this.kills.has(id),
    });
    // However a job ends (exit, lost, removed), its --timeout has nothing left to stop.
    ctx.table.on('change', ({ job }) => {
      if (isTerminal(job.state)) ctx.deadlines.cancel(timeoutKey(job.id));
    });
    ctx.table.on('removed', (job) => ctx.deadlines.cancel(timeoutKey(job.id)));
  }

  /**
   * Waits (bounded by the launcher's start timeout) until none of these jobs is `starting`: a
   * stop asked for while the shim launches the job acts on the process once it exists.
   */
  async settleStarts(ids: readonly JobId[]): Promise<void> {
    const { table, deadlines } = this.ctx;
    const starting = ids.filter((id) => table.get(id)?.state.kind === 'starting');
    if (!starting.length) return;
    await waitFor(table, deadlines, starting, (jobs) => jobs.every((j) => !j || j.state.kind !== 'starting'), { timeoutMs: START_SETTLE_MS });
  }

  /**
   * Stops every job given that can be stopped and reports each one that cannot (not found, not
   * running), one item per ref in order: one finished job never keeps the others running.
   */
  async kill(refs: JobRef[], signal: string | number | undefined, graceMs: number | undefined): Promise<KillOutcome[]> {
    // Given: it overrides every job's own stop signal (and is refused at once when unknown).
    const asked = { signal: signal === undefined ? undefined : resolveSignal(signal), graceMs };
    const { table, logger } = this.ctx;
    const resolved = resolveEach(table, refs, logger);
    await this.settleStarts(resolved.flatMap((r) => (isFailure(r) ? [] : [r.job.id])));
    return Promise.all(
      resolved.map(async (r): Promise<KillOutcome> => {
        if (isFailure(r)) return r;
        const job = table.get(r.job.id) ?? r.job;
        try {
          if (!hasLiveProcess(job.state) && !this.kills.has(job.id) && job.state.kind !== 'queued') {
            throw new ProcdError(ErrorCode.JobNotRunning, `job ${job.id} (${job.name}) is not running: it is ${job.state.kind}`, { id: job.id, state: job.state.kind });
          }
          const plan = stopPlanOf(job.spec, this.ctx.opts.defaultGraceMs, asked);
          const stopped = job.state.kind === 'queued' ? await this.cancel(job.id, plan.signal) : await this.stop(job.id, plan.signal, plan.graceMs, 'user');
          return { ref: r.ref, ok: true, ...stopped };
        } catch (err) {
          return refFailure(r.ref, job.id, err, logger);
        }
      }),
    );
  }

  /**
   * Ends a live job whatever its state: a queued one is cancelled, a starting one is stopped once
   * its process exists, a running or paused one goes through the kill procedure with the job's
   * own stop signal and grace.
   */
  async stopLive(id: JobId, reason: KillRecord['reason']): Promise<void> {
    await this.settleStarts([id]);
    const job = this.ctx.table.get(id);
    if (!job) return;
    const plan = stopPlanOf(job.spec, this.ctx.opts.defaultGraceMs);
    if (job.state.kind === 'queued') await this.cancel(id, plan.signal, reason);
    else if (hasLiveProcess(job.state)) await this.stop(id, plan.signal, plan.graceMs, reason);
  }

  /** A queued job that is stopped before it ever ran ends `killed` with outcome `cancelled`: no process, no signal. */
  async cancel(id: JobId, signal: NodeJS.Signals, reason: KillRecord['reason'] = 'user'): Promise<StopResult> {
    const { table, deadlines } = this.ctx;
    deadlines.cancel(queueKey(id));
    const kill: KillRecord = { reason, requestedAt: deadlines.now(), signal, graceMs: 0, signalled: [], forced: [] };
    table.apply(id, { type: 'cancel', at: kill.requestedAt, kill });
    await this.ctx.table.flush();
    return { id, state: table.get(id)?.state.kind ?? 'killed', signal, signalled: [], forced: [] };
  }

  /** The kill in progress for a job, if any (a waiter answers with its complete record). */
  inProgress(id: JobId): Promise<StopResult> | undefined {
    return this.kills.get(id);
  }

  /**
   * The kill procedure for one job; concurrent requests for the same job share one run. `resume`
   * is a stop a previous daemon recorded but did not finish: its record (who asked, when, the
   * grace) is kept, and `graceMs` is what is left of that grace. `limit`: the limit a `limit` stop is for.
   */
  stop(id: JobId, signal: NodeJS.Signals, graceMs: number, reason: KillRecord['reason'], resume: KillRecord | null = null, limit?: LimitKind): Promise<StopResult> {
    const existing = this.kills.get(id);
    if (existing) return existing;
    const run = this.runStop(id, signal, graceMs, reason, resume, limit).finally(() => this.kills.delete(id));
    this.kills.set(id, run);
    return run;
  }

  private async runStop(id: JobId, signal: NodeJS.Signals, graceMs: number, reason: KillRecord['reason'], resume: KillRecord | null, limit?: LimitKind): Promise<StopResult> {
    const { table, logger } = this.ctx;
    const job = table.get(id);
    if (!job || !hasLiveProcess(job.state)) {
      throw new ProcdError(ErrorCode.JobNotRunning, `job ${id} is not running`, { id, state: job?.state.kind ?? 'removed' });
    }
    const { pid } = job.state;
    const record: KillRecord = resume ?? { reason, ...(limit ? { limit } : {}), requestedAt: Date.now(), signal, graceMs, signalled: [], forced: [] };
    if (!resume) {
      table.update(id, () => ({ pendingKill: record }));
      await this.ctx.persistQuietly('pending kill');
    }

    // A paused job's processes are thawed (or continued) first, so the stop signal can act.
    if (job.state.kind === 'paused') {
      await this.pauser.thawForStop(id).catch((err: unknown) => logger.warn({ err, job: id }, 'could not resume the paused job before stopping it; SIGKILL after the grace still ends it'));
    }
    const sweep = this.sweeper.kill(job, signal, graceMs).then((result) => {
      const signalled = [...new Set([...record.signalled, ...result.signalled])].sort((a, b) => a - b);
      const done: KillRecord = { ...record, signalled, forced: result.forced };
      // Ended during the sweep or not, the job's record now says what the sweep did.
      if (table.get(id)?.pendingKill) table.update(id, () => ({ pendingKill: done }));
      return { result, done };
    });
    this.ends.holdEnd(id, sweep);
    const { result, done } = await sweep;
    if (result.survivors.length) logger.warn({ job: id, survivors: result.survivors }, 'processes survived SIGKILL');

    // The shim reports the main process's end; give it a moment, then fall back to the files.
    const adopted = job.state.shimPid === null;
    if (adopted) {
      // Not our child: no exit status to wait for. Gone is all we can know.
      if (!(await isAlive(pid, job.state.startTicks))) this.ends.adoptedGone(id, done);
    } else {
      await waitFor(table, this.ctx.deadlines, [id], ([j]) => !j || !hasLiveProcess(j.state), { timeoutMs: END_REPORT_MS });
    }
    const after = table.get(id);
    if (after && hasLiveProcess(after.state) && !adopted) {
      table.update(id, () => ({ pendingKill: done }));
      if (!(await this.ends.checkExitFile(id)) && !(await isAlive(pid, after.state.startTicks))) {
        // Gone without a report yet: a shim still running is writing the exit file (a loaded
        // machine can take seconds). The end watcher waits for it, bounded, and only then calls
        // the job lost; deciding here after END_REPORT_MS recorded real timeouts as lost.
        logger.info({ job: id, shimPid: after.state.shimPid }, 'main process gone; waiting for its shim to write the exit status');
        this.ends.watch(id);
        await waitFor(table, this.ctx.deadlines, [id], ([j]) => !j || !hasLiveProcess(j.state), { timeoutMs: SHIM_WRITE_GRACE_MS + 2 * this.ctx.opts.pollMs });
      }
    }
    // The main process may have died from the first signal while a descendant needed SIGKILL.
    // (apply() already cleared pendingKill when the job ended.)
    const ended = table.get(id);
    if (ended && wasStopped(ended.state) && !recordsKill(ended.state, done)) table.apply(id, { type: 'kill_recorded', kill: done });
    await this.ctx.persistQuietly('kill record');
    logger.info({ job: id, reason, signal, signalled: done.signalled, forced: done.forced }, 'job stopped');
    return { id, state: table.get(id)?.state.kind ?? 'killed', signal, signalled: done.signalled, forced: done.forced };
  }

  /**
   * Before a job's next run: stops what its earlier runs left running (processes carrying its
   * markers, or in its last cgroup; a queued job has no main process, so nothing else is taken),
   * with its own stop signal and grace.
   */
  async sweepEarlierRuns(id: JobId): Promise<void> {
    const job = this.ctx.table.get(id);
    if (!job || job.state.kind !== 'queued') return;
    const plan = stopPlanOf(job.spec, this.ctx.opts.defaultGraceMs);
    const result = await this.sweeper.kill(job, plan.signal, plan.graceMs);
    if (result.signalled.length) this.ctx.logger.info({ job: id, ...result }, "stopped what the job's earlier run left running before its next run");
  }

  async signal(ref: JobRef, signal: string | number): Promise<{ id: JobId; signal: string; signalled: number[] }> {
    const sig = resolveSignal(signal);
    const job = this.ctx.table.resolve(ref);
    if (!hasLiveProcess(job.state)) {
      throw new ProcdError(ErrorCode.JobNotRunning, `job ${job.id} (${job.name}) is not running: it is ${job.state.kind}`, { id: job.id, state: job.state.kind });
    }
    const signalled = await signalJob(this.snapshots, job, sig);
    this.ctx.logger.info({ job: job.id, signal: sig, signalled }, 'signal sent');
    return { id: job.id, signal: sig, signalled };
  }

  /** Arms the job's --timeout: a stop with reason `timeout` (its own stop signal and grace) when it has run that long (any length), paused time left out. */
  armTimeout(job: Job): void {
    const dueAt = job.spec.timeoutMs === null ? null : timeoutDueAt(job.state, job.spec.timeoutMs);
    if (dueAt === null) return;
    const { deadlines, logger, opts } = this.ctx;
    const plan = stopPlanOf(job.spec, opts.defaultGraceMs);
    deadlines.at(timeoutKey(job.id), dueAt, () => {
      logger.info({ job: job.id, timeoutMs: job.spec.timeoutMs }, 'job timed out; stopping it');
      this.stop(job.id, plan.signal, plan.graceMs, 'timeout').catch((err: unknown) => logger.error({ err, job: job.id }, 'timeout kill failed'));
    });
  }

  /** A stop the previous daemon began but did not finish: signal again, SIGKILL after what is left of the grace. */
  resume(job: Job): void {
    const kill = job.pendingKill;
    if (!kill) return;
    const remaining = Math.max(0, kill.requestedAt + kill.graceMs - Date.now());
    this.ctx.logger.info({ job: job.id, reason: kill.reason, remainingMs: remaining }, 'resuming a stop interrupted by a daemon restart');
    this.stop(job.id, resolveSignal(kill.signal), remaining, kill.reason, kill).catch((err: unknown) => this.ctx.logger.error({ err, job: job.id }, 'resumed stop failed'));
  }
}

/**
 * The stopped state already holds this kill record (the usual case: the end waits for the sweep,
 * so it is recorded with the sweep's result): a kill_recorded would write the job again for nothing
 * (a journal record and every change listener, per job: 100 for `procd down` of 100).
 */
export function recordsKill(state: Extract<JobState, { kind: 'killed' | 'timed_out' }>, kill: KillRecord): boolean {
  return JSON.stringify(state.kill) === JSON.stringify(kill) && state.forced === (state.forced || kill.forced.length > 0);
}

export function resolveSignal(input: string | number): NodeJS.Signals {
  const sig = parseSignal(input);
  if (!sig) throw new ProcdError(ErrorCode.BadSignal, `unknown signal: ${input} (try SIGTERM, SIGINT, SIGKILL, HUP or 15)`, { signal: input });
  return sig.name as NodeJS.Signals;
}
