// `procd restart` and resurrection: a job runs again under its id. A live run is stopped first
// (the kill procedure, so it ends `killed` by the user and its policy leaves it down), then the
// job table queues the next run (requeue) and the starter launches it at once.

import { ErrorCode, ProcdError } from '../../shared/errors.js';
import { hasLiveProcess, isTerminal, wasStopped, type Job, type JobId } from '../../shared/job.js';
import type { JobRef, RestartOutcome } from '../../shared/methods.js';
import { stopPlanOf } from './job-spec.js';
import { isFailure, refFailure, resolveEach } from './ref-failure.js';
import { currentRun } from './run-end.js';
import type { Starter } from './starter.js';
import { resolveSignal, type Stopper } from './stopper.js';
import { queueKey, type SupervisorContext } from './supervisor-context.js';
import { waitFor } from './waits.js';

const NEW_RUN_WAIT_MS = 20_000;

export class Restarter {
  constructor(
    private readonly ctx: SupervisorContext,
    private readonly stopper: Stopper,
    private readonly starter: Starter,
  ) {}

  /** One item per ref, in order, each once its new run has started (or failed to). */
  async restart(refs: readonly JobRef[], asked: { signal?: string | number | undefined; graceMs?: number | undefined }): Promise<RestartOutcome[]> {
    const signal = asked.signal === undefined ? undefined : resolveSignal(asked.signal);
    const resolved = resolveEach(this.ctx.table, refs, this.ctx.logger);
    return Promise.all(
      resolved.map(async (r): Promise<RestartOutcome> => {
        if (isFailure(r)) return r;
        try {
          return { ref: r.ref, ok: true, ...(await this.restartOne(r.job.id, { signal, graceMs: asked.graceMs })) };
        } catch (err) {
          return refFailure(r.ref, r.job.id, err, this.ctx.logger);
        }
      }),
    );
  }

  private async restartOne(id: JobId, asked: { signal?: NodeJS.Signals | undefined; graceMs?: number | undefined }): Promise<{ id: JobId; run: number; state: Job['state']['kind']; stopped: boolean }> {
    const { table, deadlines } = this.ctx;
    const job = table.get(id)!;
    if (job.spec.command.kind === 'adopted') {
      throw new ProcdError(ErrorCode.NotRestartable, `job ${id} (${job.name}) was adopted: procd did not start it, so it cannot start it again`, { id });
    }
    await this.stopper.settleStarts([id]);
    let stopped = false;
    const now = table.get(id);
    if (now && hasLiveProcess(now.state)) {
      const plan = stopPlanOf(now.spec, this.ctx.opts.defaultGraceMs, asked);
      await this.stopper.stop(id, plan.signal, plan.graceMs, 'user');
      stopped = true;
    }
    const before = table.get(id);
    if (!before) throw new ProcdError(ErrorCode.JobNotFound, `job ${id} was removed while restarting it`, { job: id });
    if (before.state.kind === 'queued' && before.state.reason.kind === 'queue') {
      // Waiting in the queue (a slot, its dependencies): it keeps its place; `procd priority` moves it.
    } else if (before.state.kind === 'queued') {
      // Waiting for its next run (backoff, a start time): that run starts now (its group's limit still applies).
      deadlines.cancel(queueKey(id));
      this.starter.schedule(before, deadlines.now());
    } else if (isTerminal(before.state)) {
      const run = currentRun(before) + 1;
      const what = stopped ? 'stopped and started again' : 'started again';
      table.requeue(id, { kind: 'restart', at: deadlines.now(), detail: `run ${run - 1} ${what} by procd restart`, delayMs: 0, run }, 'manual_restart');
      await table.flush();
    }
    // In a group with a limit the queue decides (daemon/queue/): it starts the run now, or the job
    // waits in the queue with its place recorded — then the answer says so at once.
    this.starter.queue?.admitNow();
    const waitsInQueue = (j: Job) => j.state.kind === 'queued' && j.standing !== undefined;
    await waitFor(table, deadlines, [id], ([j]) => !j || (j.state.kind !== 'queued' && j.state.kind !== 'starting') || waitsInQueue(j), { timeoutMs: NEW_RUN_WAIT_MS });
    const after = table.get(id) ?? before;
    return { id, run: currentRun(after), state: after.state.kind, stopped };
  }

  /**
   * At daemon start: `always` services the last `daemon stop` stopped run again (as Docker's
   * `always` does after a daemon restart); `unless-stopped` ones stay down, since stopping the
   * daemon stopped them. (Services whose processes vanished while no daemon ran, after a reboot,
   * are restarted by their policy during recovery, whatever the policy.) Only the newest job of a
   * name, and only when no live job has that name.
   */
  resurrect(): Job[] {
    const { table, deadlines, logger } = this.ctx;
    const newest = new Map<string, Job>();
    for (const job of table.all()) if ((newest.get(job.name)?.id ?? 0) < job.id) newest.set(job.name, job);
    const back: Job[] = [];
    for (const job of newest.values()) {
      const state = job.state;
      if (job.spec.restart?.policy !== 'always' || !wasStopped(state) || state.kill?.reason !== 'shutdown') continue;
      if (table.liveNamed(job.name) || job.spec.command.kind === 'adopted') continue;
      const run = currentRun(job) + 1;
      const requeued = table.requeue(job.id, { kind: 'restart', at: deadlines.now(), detail: `run ${run - 1} was stopped by daemon stop; started again by the next daemon (restart always)`, delayMs: 0, run }, 'resurrect');
      if (requeued) {
        logger.info({ job: job.id, name: job.name, run }, 'service resurrected: its restart policy is always and daemon stop had stopped it');
        back.push(requeued);
      }
    }
    return back;
  }
}
