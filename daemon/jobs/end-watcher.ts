// The end watcher: learns how a job's main process ended — from the shim's channel, from its
// exit file, or, for jobs without a channel (re-adopted, adopted, shim gone), by polling — and
// records it through the job table. It never signals anything.

import { hasLiveProcess, isTerminal, type JobId, type KillRecord } from '../../shared/job.js';
import { memoryLimitKill, oomKilledIn } from '../cgroup/limits.js';
import { readExitFile, type ExitRecord } from '../output/spawn-spec.js';
import { isAlive } from '../proc/process-table.js';
import { refreshOutput } from './output-figures.js';
import { timeoutKey, type SupervisorContext } from './supervisor-context.js';

/** How long a shim that outlived its job may take to write the exit file before the job counts as lost. */
export const SHIM_WRITE_GRACE_MS = 5000;

export class EndWatcher {
  /** Jobs whose end is found by polling their exit file and pid (no shim channel to tell us). */
  private readonly polled = new Set<JobId>();
  /** When a polled job's main process was first seen gone while its shim still ran (it is writing the exit file). */
  private readonly goneSince = new Map<JobId, number>();
  private pollTimer: NodeJS.Timeout | null = null;
  /** Kill sweeps in progress: a job's end is recorded once its sweep has finished (see holdEnd). */
  private readonly sweeps = new Map<JobId, Promise<unknown>>();

  constructor(private readonly ctx: SupervisorContext) {}

  /**
   * A stop of this job is sweeping its processes: its main process may end before the sweep
   * knows which pids it signalled and which needed SIGKILL. The end waits for the sweep, so the
   * terminal state (and its `job.state` event) carries the complete kill record, the one `status` shows.
   */
  holdEnd(id: JobId, sweep: Promise<unknown>): void {
    const held = sweep.catch(() => undefined);
    this.sweeps.set(id, held);
    void held.then(() => {
      if (this.sweeps.get(id) === held) this.sweeps.delete(id);
    });
  }

  /** Records the end of a job's main process (from the shim channel or its exit file). */
  async finish(id: JobId, exitCode: number | null, signal: number | null, at: number): Promise<void> {
    const { table, deadlines, logger } = this.ctx;
    const first = table.get(id);
    if (!first || !hasLiveProcess(first.state)) return;
    deadlines.cancel(timeoutKey(id));
    this.forget(id);
    await this.sweeps.get(id);
    const before = table.get(id);
    if (!before || !hasLiveProcess(before.state)) return;
    // A SIGKILL nobody here sent may be the kernel's OOM killer (the job's cgroup says so): holding
    // the job's own memory.max, it ended by its limit; else for want of memory elsewhere (the
    // machine's, a container's): outcome oom.
    const oomKilled = !before.pendingKill && signal === 9 && (await oomKilledIn(this.ctx.opts.cgroupRoot, before));
    const kill = before.pendingKill ?? (oomKilled ? memoryLimitKill(before, at) : null);
    const job = table.apply(id, { type: 'exited', at, exitCode, signal, kill, forced: (kill?.forced.length ?? 0) > 0, oomKilled });
    if (!job || !isTerminal(job.state)) return;
    await refreshOutput(table, id);
    logger.info(
      { job: id, name: job.name, state: job.state.kind, exitCode: job.state.exitCode, signal: job.state.signal?.name ?? null, durationMs: job.state.durationMs },
      'job ended',
    );
  }

  /** Applies an exit record (whatever state the job was left in). */
  async applyExit(id: JobId, exit: ExitRecord): Promise<void> {
    const { table } = this.ctx;
    const job = table.get(id);
    if (!job) return;
    if ('spawnError' in exit) {
      table.apply(id, { type: 'spawn_failed', at: exit.at, error: exit.spawnError });
      return;
    }
    if (job.state.kind === 'starting') {
      // Started and ended while nobody was listening: replay both halves.
      table.apply(id, { type: 'started', at: exit.startedAt ?? exit.at, pid: exit.pid, startTicks: null, shimPid: -1 });
    }
    await this.finish(id, exit.exitCode, exit.signal, exit.at);
  }

  /** Reads a job's exit file; applies it when present. Returns true when the job is now finished. */
  async checkExitFile(id: JobId): Promise<boolean> {
    const job = this.ctx.table.get(id);
    if (!job) return true;
    const exit = await readExitFile(job.dir);
    if (!exit) return false;
    await this.applyExit(id, exit);
    await this.ctx.persistQuietly('exit file');
    return true;
  }

  /**
   * An adopted process is gone. procd is not its parent, so its exit status is unknowable: after
   * our own kill it is `killed` (exit code and signal null), otherwise `lost`.
   */
  adoptedGone(id: JobId, kill: KillRecord | null = null): void {
    const { table, deadlines } = this.ctx;
    const job = table.get(id);
    if (!job || !hasLiveProcess(job.state)) return;
    // A stop is sweeping it: the stopper records the end with the complete kill record.
    if (!kill && this.sweeps.has(id)) return;
    const pending = kill ?? job.pendingKill;
    if (pending) {
      table.apply(id, { type: 'exited', at: Date.now(), exitCode: null, signal: null, kill: pending, forced: pending.forced.length > 0 });
    } else {
      table.apply(id, { type: 'lost', at: Date.now(), reason: 'the adopted process exited; procd is not its parent, so its exit status is unknown' });
    }
    deadlines.cancel(timeoutKey(id));
    this.forget(id);
    void this.ctx.persistQuietly('adopted process gone');
  }

  /** Watches a job by its exit file and its pid + start time (no shim channel tells us its end). */
  watch(id: JobId): void {
    this.polled.add(id);
    if (this.pollTimer) return;
    this.pollTimer = setInterval(() => this.pollOnce(), this.ctx.opts.pollMs);
    this.pollTimer.unref();
  }

  private pollOnce(): void {
    const { table, logger } = this.ctx;
    for (const id of this.polled) {
      void this.checkExitFile(id)
        .then(async (done) => {
          const job = table.get(id);
          if (done || !job || !hasLiveProcess(job.state)) return void this.forget(id);
          // Liveness first, then the exit file again: a process that ended in between has written it.
          if (!(await isAlive(job.state.pid, job.state.startTicks)) && !(await this.checkExitFile(id))) {
            // The shim reaps the job and then writes the exit file: while it still runs, the
            // status is on its way (bounded, in case the shim hangs).
            const shimPid = job.state.shimPid;
            const since = this.goneSince.get(id) ?? Date.now();
            this.goneSince.set(id, since);
            if (shimPid !== null && shimPid > 0 && Date.now() - since < SHIM_WRITE_GRACE_MS && (await isAlive(shimPid))) return;
            table.apply(id, { type: 'lost', at: Date.now(), reason: 'the main process vanished without an exit status' });
            this.forget(id);
            await this.ctx.persistQuietly('lost job');
          }
        })
        .catch((err: unknown) => logger.error({ err, job: id }, 'checking a re-adopted job failed'));
    }
  }

  private forget(id: JobId): void {
    this.polled.delete(id);
    this.goneSince.delete(id);
  }

  stop(): void {
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = null;
  }
}
