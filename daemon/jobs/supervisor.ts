// The supervisor: starts jobs through their shims, learns their ends, enforces timeouts, runs
// the kill procedure, and re-adopts jobs that outlived a previous daemon. All state changes go
// through the job table.

import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { ErrorCode, ProcdError } from '../../shared/errors.js';
import { isTerminal, type Job, type JobId, type KillRecord, type SpawnError } from '../../shared/job.js';
import type { JobRef, KillResult, ParamsOf, WaitResult } from '../../shared/methods.js';
import { parseSignal } from '../../shared/signals.js';
import type { Logger } from '../logger.js';
import { streamInfo } from '../output/segments.js';
import { readClosedFile, readExitFile, readLostBytes, readStartedFile, shimSpawnError, writeSpawnSpec, type ShimEvent } from '../output/spawn-spec.js';
import { carriesEntries, isAlive, readIdentity } from '../proc/process-table.js';
import type { StateStore } from '../store/state-store.js';
import type { CallContext } from '../server/dispatch.js';
import type { JobTable } from './job-table.js';
import { INSTANCE_MARKER, JOB_MARKER, KillSweeper, markerEntries, signalJob } from './kill-tree.js';
import { ProcessSnapshots } from '../monitor/job-processes.js';
import { defaultJobName } from './names.js';
import { startShim } from './shim-runner.js';
import { annotateKill } from './transitions.js';

export interface SupervisorOptions {
  jobsDir: string;
  /** Marks this daemon's jobs (PROCD_INSTANCE) apart from another home's. */
  instance: string;
  defaultGraceMs: number;
  defaultMaxOutputBytes: number;
  defaultStuckAfterMs: number;
  /** How often jobs without a live shim channel (re-adopted ones) are checked for their end. */
  pollMs: number;
}

const START_TIMEOUT_MS = 15_000;
const DEFAULT_SHELL = '/bin/sh';

export class Supervisor {
  private readonly timeouts = new Map<JobId, NodeJS.Timeout>();
  private readonly kills = new Map<JobId, Promise<KillResult>>();
  /** Jobs whose shim we did not start (previous daemon): their end is found by polling the exit file. */
  private readonly polled = new Set<JobId>();
  private pollTimer: NodeJS.Timeout | null = null;
  /** Process-table snapshots for signals and kills; stops requested together share one kill sweep. */
  private readonly snapshots: ProcessSnapshots;
  private readonly sweeper: KillSweeper;

  constructor(
    private readonly table: JobTable,
    private readonly store: StateStore,
    private readonly logger: Logger,
    private readonly opts: SupervisorOptions,
  ) {
    this.snapshots = new ProcessSnapshots(opts.instance);
    this.sweeper = new KillSweeper(this.snapshots);
  }

  /**
   * Makes changes durable where nobody waits for the answer (shim events, polling, re-adoption)
   * or where the action has already happened (a job spawned, a kill done): a failure (disk full)
   * is logged and the change stays queued in the store for its next successful write.
   */
  private async persistQuietly(what: string): Promise<void> {
    await this.store.flush().catch((err: unknown) => this.logger.error({ err, what }, 'could not save job records; retried with the next change'));
  }

  // ---- starting -----------------------------------------------------------------------------

  async track(params: ParamsOf<'track'>): Promise<Job> {
    if ((params.argv === undefined) === (params.shell === undefined)) {
      throw new ProcdError(ErrorCode.InvalidParams, 'invalid params: give exactly one of argv or shell', { field: 'params.argv' });
    }
    if (params.argv && params.argv[0] === '') {
      throw new ProcdError(ErrorCode.InvalidParams, 'invalid params.argv[0]: expected the command to run, got an empty string', { field: 'params.argv[0]', expected: 'a non-empty string' });
    }
    const command = params.argv
      ? ({ kind: 'argv', argv: params.argv } as const)
      : ({ kind: 'shell', script: params.shell!, shell: DEFAULT_SHELL } as const);
    const argv = command.kind === 'argv' ? command.argv : [command.shell, '-c', command.script];
    const env = { ...(params.env ?? baseEnvironment()) };
    const job = this.table.create({
      name: params.name ?? defaultJobName(command.kind === 'argv' ? command.argv[0]! : command.script),
      description: params.description ?? null,
      tags: params.tags ?? [],
      spec: {
        command,
        cwd: params.cwd,
        env,
        timeoutMs: params.timeoutMs ?? null,
        expectMs: params.expectMs ?? null,
        stuckAfterMs: params.stuckAfterMs ?? this.opts.defaultStuckAfterMs,
        maxOutputBytes: params.maxOutputBytes ?? this.opts.defaultMaxOutputBytes,
      },
      dirFor: (id) => join(this.opts.jobsDir, String(id)),
    });
    env[JOB_MARKER] = String(job.id);
    env[INSTANCE_MARKER] = this.opts.instance;
    // The record is on disk before any process exists: a daemon crash from here on leaves a job
    // the next daemon knows (and re-adopts), never an untracked process whose id is handed out again.
    try {
      await this.store.flush();
    } catch (err) {
      this.table.remove(job.id);
      throw err;
    }
    try {
      await this.spawnJob(job, argv, env);
    } catch (err) {
      const error: SpawnError = { code: 'EPROCD', message: `could not start the job's shim: ${(err as Error).message}` };
      this.table.apply(job.id, { type: 'spawn_failed', at: Date.now(), error });
    }
    await this.persistQuietly('track after spawn');
    return this.table.get(job.id) ?? job;
  }

  private async spawnJob(job: Job, argv: string[], env: Record<string, string>): Promise<void> {
    // A directory left by a job whose record was lost must not lend this job its exit file.
    await rename(job.dir, `${job.dir}.stale-${Date.now()}`).catch(() => undefined);
    await mkdir(join(job.dir, 'out'), { recursive: true, mode: 0o700 });
    await writeSpawnSpec(job.dir, {
      argv,
      cwd: job.spec.cwd,
      env,
      maxOutputBytes: job.spec.maxOutputBytes,
      segmentBytes: segmentSizeFor(job.spec.maxOutputBytes),
    });
    const shim = startShim(job.dir, join(job.dir, 'shim.log'));
    await new Promise<void>((resolve) => {
      let settled = false;
      const settle = () => {
        if (!settled) {
          settled = true;
          clearTimeout(timer);
          resolve();
        }
      };
      const timer = setTimeout(() => {
        this.table.apply(job.id, { type: 'spawn_failed', at: Date.now(), error: { code: 'ETIMEDOUT', message: 'the shim did not report a start within 15s' } });
        settle();
      }, START_TIMEOUT_MS);
      shim.on('event', (event) => {
        void this.onShimEvent(job.id, shim.pid, event)
          .catch((err: unknown) => this.logger.error({ err, job: job.id, event: event.type }, 'handling a shim event failed'))
          .finally(() => {
            if (event.type === 'started' || event.type === 'spawn_error') settle();
          });
      });
      shim.on('gone', () => {
        // The shim ended: normal after `closed`; before a start it means the shim itself failed.
        // Killed without writing an exit file (OOM killer, `pkill perl`), it can no longer report
        // the job's end: watch the job like a re-adopted one, by its pid and start time.
        void this.checkExitFile(job.id)
          .then((ended) => {
            if (!ended && this.table.get(job.id)?.state.kind === 'running') {
              this.logger.warn({ job: job.id, shimPid: shim.pid }, "the job's shim ended before the job; watching the job by its pid");
              this.polled.add(job.id);
              this.startPolling();
            }
          })
          .finally(settle);
      });
    });
  }

  private async onShimEvent(id: JobId, shimPid: number, event: ShimEvent): Promise<void> {
    if (event.type === 'started') {
      const identity = await readIdentity(event.pid);
      const job = this.table.apply(id, { type: 'started', at: event.at, pid: event.pid, startTicks: identity?.startTicks ?? null, shimPid });
      if (job) {
        this.logger.info({ job: id, name: job.name, pid: event.pid }, 'job started');
        this.armTimeout(job);
      }
    } else if (event.type === 'spawn_error') {
      const job = this.table.apply(id, { type: 'spawn_failed', at: event.at, error: shimSpawnError(event.code, event.message) });
      if (job) this.logger.info({ job: id, error: event.code }, 'job failed to start');
    } else if (event.type === 'exited') {
      await this.finish(id, event.exitCode, event.signal, event.at);
    } else if (event.type === 'closed') {
      // Everything the job (and any leftover) wrote is now on disk: the figures are final.
      await this.refreshOutput(id);
    }
    await this.persistQuietly('shim event');
  }

  // ---- ending -------------------------------------------------------------------------------

  /** Records the end of a job's main process (from the shim channel or its exit file). */
  private async finish(id: JobId, exitCode: number | null, signal: number | null, at: number): Promise<void> {
    const before = this.table.get(id);
    if (!before || before.state.kind !== 'running') return;
    this.clearTimeout(id);
    this.polled.delete(id);
    const kill = before.pendingKill;
    const job = this.table.apply(id, { type: 'exited', at, exitCode, signal, kill, forced: (kill?.forced.length ?? 0) > 0 });
    if (!job || !isTerminal(job.state)) return;
    await this.refreshOutput(id);
    this.logger.info(
      { job: id, name: job.name, state: job.state.kind, exitCode: job.state.exitCode, signal: job.state.signal?.name ?? null, durationMs: job.state.durationMs },
      'job ended',
    );
  }

  /** Reads a job's exit file; applies it when present. Returns true when the job is now finished. */
  private async checkExitFile(id: JobId): Promise<boolean> {
    const job = this.table.get(id);
    if (!job) return true;
    const exit = await readExitFile(job.dir);
    if (!exit) return false;
    if ('spawnError' in exit) {
      this.table.apply(id, { type: 'spawn_failed', at: exit.at, error: exit.spawnError });
    } else if (job.state.kind === 'queued') {
      // Started and ended while nobody was listening: replay both halves.
      this.table.apply(id, { type: 'started', at: exit.startedAt ?? exit.at, pid: exit.pid, startTicks: null, shimPid: -1 });
      await this.finish(id, exit.exitCode, exit.signal, exit.at);
    } else {
      await this.finish(id, exit.exitCode, exit.signal, exit.at);
    }
    await this.persistQuietly('exit file');
    return true;
  }

  private armTimeout(job: Job): void {
    if (job.state.kind !== 'running' || job.spec.timeoutMs === null) return;
    const due = job.state.startedAt + job.spec.timeoutMs - Date.now();
    const timer = setTimeout(() => {
      this.timeouts.delete(job.id);
      this.logger.info({ job: job.id, timeoutMs: job.spec.timeoutMs }, 'job timed out; stopping it');
      this.stop(job.id, 'SIGTERM', this.opts.defaultGraceMs, 'timeout').catch((err: unknown) =>
        this.logger.error({ err, job: job.id }, 'timeout kill failed'),
      );
    }, Math.max(0, due));
    this.timeouts.set(job.id, timer);
  }

  private clearTimeout(id: JobId): void {
    const timer = this.timeouts.get(id);
    if (timer) clearTimeout(timer);
    this.timeouts.delete(id);
  }

  // ---- stopping -----------------------------------------------------------------------------

  async kill(refs: JobRef[], signal: string | number | undefined, graceMs: number | undefined): Promise<KillResult[]> {
    const sig = resolveSignal(signal ?? 'SIGTERM');
    const jobs = refs.map((ref) => this.table.resolve(ref));
    for (const job of jobs) {
      if (job.state.kind !== 'running' && !this.kills.has(job.id)) {
        throw new ProcdError(ErrorCode.JobNotRunning, `job ${job.id} (${job.name}) is not running: it is ${job.state.kind}`, {
          id: job.id,
          state: job.state.kind,
        });
      }
    }
    return Promise.all(jobs.map((job) => this.stop(job.id, sig, graceMs ?? this.opts.defaultGraceMs, 'user')));
  }

  /**
   * The kill procedure for one job; concurrent requests for the same job share one run. `resume`
   * is a stop a previous daemon recorded but did not finish: its record (who asked, when, the
   * grace) is kept, and `graceMs` is what is left of that grace.
   */
  stop(id: JobId, signal: NodeJS.Signals, graceMs: number, reason: KillRecord['reason'], resume: KillRecord | null = null): Promise<KillResult> {
    const existing = this.kills.get(id);
    if (existing) return existing;
    const run = this.runStop(id, signal, graceMs, reason, resume).finally(() => this.kills.delete(id));
    this.kills.set(id, run);
    return run;
  }

  private async runStop(id: JobId, signal: NodeJS.Signals, graceMs: number, reason: KillRecord['reason'], resume: KillRecord | null): Promise<KillResult> {
    const job = this.table.get(id);
    if (!job || job.state.kind !== 'running') {
      throw new ProcdError(ErrorCode.JobNotRunning, `job ${id} is not running`, { id, state: job?.state.kind ?? 'removed' });
    }
    const { pid } = job.state;
    const record: KillRecord = resume ?? { reason, requestedAt: Date.now(), signal, graceMs, signalled: [], forced: [] };
    if (!resume) {
      this.table.update(id, (j) => ({ ...j, pendingKill: record }));
      await this.persistQuietly('pending kill');
    }

    const result = await this.sweeper.kill(job, signal, graceMs);
    const signalled = [...new Set([...record.signalled, ...result.signalled])].sort((a, b) => a - b);
    const done: KillRecord = { ...record, signalled, forced: result.forced };
    if (result.survivors.length) this.logger.warn({ job: id, survivors: result.survivors }, 'processes survived SIGKILL');

    // The shim reports the main process's end; give it a moment, then fall back to the files.
    const adopted = job.state.shimPid === null;
    if (adopted) {
      // Not our child: no exit status to wait for. Gone is all we can know.
      if (!(await isAlive(pid, job.state.startTicks))) this.adoptedGone(id, done);
    } else await this.awaitEnd(id, 3000);
    const after = this.table.get(id);
    if (after && after.state.kind === 'running' && !adopted) {
      this.table.update(id, (j) => ({ ...j, pendingKill: done }));
      if (!(await this.checkExitFile(id)) && !(await isAlive(pid, after.state.startTicks))) {
        this.table.apply(id, { type: 'lost', at: Date.now(), reason: 'the main process is gone and its shim recorded no exit status' });
      }
    }
    const final = this.table.update(id, (j) => ({ ...j, state: annotateKill(j.state, done), pendingKill: isTerminal(j.state) ? null : j.pendingKill }));
    await this.persistQuietly('kill record');
    this.logger.info({ job: id, reason, signal, signalled: done.signalled, forced: done.forced }, 'job stopped');
    return { id, state: final?.state.kind ?? 'killed', signal, signalled: done.signalled, forced: done.forced };
  }

  async signal(ref: JobRef, signal: string | number): Promise<{ id: JobId; signal: string; signalled: number[] }> {
    const sig = resolveSignal(signal);
    const job = this.table.resolve(ref);
    if (job.state.kind !== 'running') {
      throw new ProcdError(ErrorCode.JobNotRunning, `job ${job.id} (${job.name}) is not running: it is ${job.state.kind}`, { id: job.id, state: job.state.kind });
    }
    const signalled = await signalJob(this.snapshots, job, sig);
    this.logger.info({ job: job.id, signal: sig, signalled }, 'signal sent');
    return { id: job.id, signal: sig, signalled };
  }

  /**
   * An adopted process is gone. procd is not its parent, so its exit status is unknowable: after
   * our own kill it is `killed` (exit code and signal null), otherwise `lost`.
   */
  adoptedGone(id: JobId, kill: KillRecord | null = null): void {
    const job = this.table.get(id);
    if (!job || job.state.kind !== 'running') return;
    const pending = kill ?? job.pendingKill;
    if (pending) {
      this.table.apply(id, { type: 'exited', at: Date.now(), exitCode: null, signal: null, kill: pending, forced: pending.forced.length > 0 });
    } else {
      this.table.apply(id, { type: 'lost', at: Date.now(), reason: 'the adopted process exited; procd is not its parent, so its exit status is unknown' });
    }
    this.clearTimeout(id);
    this.polled.delete(id);
    void this.persistQuietly('adopted process gone');
  }

  /** Resolves when the job is no longer running (or after `timeoutMs`). */
  private awaitEnd(id: JobId, timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        const job = this.table.get(id);
        return !job || job.state.kind !== 'running';
      };
      if (check()) return resolve();
      const onChange = () => {
        if (check()) done();
      };
      const timer = setTimeout(() => done(), timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.table.off('change', onChange);
        this.table.off('removed', onChange);
        resolve();
      };
      this.table.on('change', onChange);
      this.table.on('removed', onChange);
    });
  }

  async wait(refs: JobRef[], timeoutMs: number | undefined, ctx: CallContext): Promise<WaitResult> {
    const ids = refs.map((ref) => this.table.resolve(ref).id);
    const pending = () => ids.filter((id) => this.table.get(id)?.state.kind === 'running' || this.table.get(id)?.state.kind === 'queued');
    let timedOut = false;
    if (pending().length) {
      await new Promise<void>((resolve) => {
        const onChange = () => {
          if (pending().length === 0) finish();
        };
        const timer = timeoutMs === undefined ? null : setTimeout(() => ((timedOut = true), finish()), timeoutMs);
        const finish = () => {
          if (timer) clearTimeout(timer);
          this.table.off('change', onChange);
          this.table.off('removed', onChange);
          resolve();
        };
        this.table.on('change', onChange);
        this.table.on('removed', onChange);
        void ctx.closed.then(finish);
        onChange();
      });
    }
    // A job stopped by procd ends before its kill procedure does (descendants may still need
    // SIGKILL): answer with the complete kill record, not the one in flight.
    await Promise.all(ids.map((id) => this.kills.get(id)?.catch(() => undefined)));
    // A waiter usually reads the output next: let the shims finish draining it first (bounded).
    await Promise.all(ids.map((id) => this.awaitOutputClosed(id, 2000)));
    const removed = ids.filter((id) => !this.table.get(id));
    if (removed.length && !ctx.isClosed()) {
      throw new ProcdError(ErrorCode.JobNotFound, `job ${removed.join(', ')} was removed while waiting for it; its exit status is gone with the record`, {
        job: removed[0],
        removed,
      });
    }
    const jobs = ids.map((id) => this.table.get(id)).filter((j): j is Job => j !== undefined);
    return { jobs, timedOut: timedOut && pending().length > 0 };
  }

  /** For a finished job: waits until its shim has written all output, then refreshes the figures. */
  private async awaitOutputClosed(id: JobId, timeoutMs: number): Promise<void> {
    const job = this.table.get(id);
    if (!job || !isTerminal(job.state)) return;
    const deadline = Date.now() + timeoutMs;
    while (!(await readClosedFile(job.dir)) && Date.now() < deadline && !(job.state.kind === 'failed' && job.state.spawnError)) {
      await delay(20);
    }
    await this.refreshOutput(id);
  }

  // ---- removing -----------------------------------------------------------------------------

  async remove(refs: JobRef[], force: boolean): Promise<JobId[]> {
    const jobs = refs.map((ref) => this.table.resolve(ref));
    const running = jobs.filter((j) => !isTerminal(j.state));
    if (running.length && !force) {
      const first = running[0]!;
      throw new ProcdError(ErrorCode.JobStillRunning, `job ${first.id} (${first.name}) is ${first.state.kind}; stop it first or use --force`, {
        ids: running.map((j) => j.id),
      });
    }
    await Promise.all(running.map((j) => this.stop(j.id, 'SIGTERM', this.opts.defaultGraceMs, 'user').catch(() => undefined)));
    const removed: JobId[] = [];
    for (const job of jobs) {
      if (this.table.remove(job.id)) removed.push(job.id);
      await rm(job.dir, { recursive: true, force: true });
    }
    await this.store.flush();
    return removed;
  }

  async prune(olderThanMs: number | undefined): Promise<JobId[]> {
    const cutoff = Date.now() - (olderThanMs ?? 0);
    const old: JobId[] = [];
    for (const job of this.table.all()) if (isTerminal(job.state) && job.state.endedAt <= cutoff) old.push(job.id);
    return old.length ? this.remove(old, false) : [];
  }

  // ---- output figures -----------------------------------------------------------------------

  async refreshOutput(id: JobId): Promise<Job | undefined> {
    const job = this.table.get(id);
    if (!job) return undefined;
    const [out, err, lostBytes] = await Promise.all([streamInfo(job.dir, 'stdout'), streamInfo(job.dir, 'stderr'), readLostBytes(job.dir)]);
    const lastOutputAt = Math.max(out.end > 0 ? out.mtimeMs : 0, err.end > 0 ? err.mtimeMs : 0) || null;
    const output = { stdoutBytes: out.end, stderrBytes: err.end, droppedBytes: out.start + err.start, lostBytes, lastOutputAt };
    const same = JSON.stringify(output) === JSON.stringify(job.output);
    return same ? job : (this.table.updateVolatile(id, (j) => ({ resources: j.resources, output })) ?? undefined);
  }

  // ---- daemon start and stop ----------------------------------------------------------------

  /** Takes over jobs a previous daemon left: records ends that happened meanwhile, watches the rest. */
  async readopt(): Promise<{ adopted: number; finished: number; lost: number }> {
    let adopted = 0;
    let finished = 0;
    let lost = 0;
    const interrupted: Job[] = [];
    for (const job of [...this.table.all()]) {
      if (isTerminal(job.state)) continue;
      if (await this.checkExitFile(job.id)) {
        finished++;
        continue;
      }
      let current = this.table.get(job.id)!;
      if (current.state.kind === 'queued') {
        const started = await readStartedFile(job.dir);
        if (started) {
          // The pid may belong to another process by now: take its start time only if it is ours.
          const identity = (await this.carriesMarkers(started.pid, job.id)) ? await readIdentity(started.pid) : null;
          current =
            this.table.apply(job.id, { type: 'started', at: started.at, pid: started.pid, startTicks: identity?.startTicks ?? null, shimPid: started.shimPid }) ??
            current;
        } else {
          this.table.apply(job.id, { type: 'spawn_failed', at: Date.now(), error: { code: 'EINTR', message: 'the daemon stopped before the job started' } });
          finished++;
          continue;
        }
      }
      if (current.state.kind !== 'running') continue;
      // Identity is pid + start time; without a start time, the job's markers must be on the process.
      const ours = (await isAlive(current.state.pid, current.state.startTicks)) && (current.state.startTicks !== null || (await this.carriesMarkers(current.state.pid, job.id)));
      if (ours) {
        this.polled.add(job.id);
        this.armTimeout(current);
        adopted++;
        if (current.pendingKill) interrupted.push(current);
      } else if (!(await this.checkExitFile(job.id))) {
        this.table.apply(job.id, { type: 'lost', at: Date.now(), reason: 'the main process ended while the daemon was down and left no exit status' });
        lost++;
      } else finished++;
    }
    await this.persistQuietly('re-adoption');
    this.startPolling();
    for (const job of interrupted) this.resumeStop(job);
    return { adopted, finished, lost };
  }

  /** A stop the previous daemon began but did not finish: signal again, SIGKILL after what is left of the grace. */
  private resumeStop(job: Job): void {
    const kill = job.pendingKill;
    if (!kill) return;
    const remaining = Math.max(0, kill.requestedAt + kill.graceMs - Date.now());
    this.logger.info({ job: job.id, reason: kill.reason, remainingMs: remaining }, 'resuming a stop interrupted by a daemon restart');
    this.stop(job.id, resolveSignal(kill.signal), remaining, kill.reason, kill).catch((err: unknown) => this.logger.error({ err, job: job.id }, 'resumed stop failed'));
  }

  /** True when `pid` carries this job's PROCD_JOB_ID and this daemon's PROCD_INSTANCE. */
  private carriesMarkers(pid: number, id: JobId): Promise<boolean> {
    return carriesEntries(pid, markerEntries({ jobId: id, instance: this.opts.instance }));
  }

  private startPolling(): void {
    if (this.pollTimer) return;
    this.pollTimer = setInterval(() => {
      for (const id of this.polled) {
        void this.checkExitFile(id)
          .then(async (done) => {
            const job = this.table.get(id);
            if (done || !job || job.state.kind !== 'running') return void this.polled.delete(id);
            if (!(await isAlive(job.state.pid, job.state.startTicks)) && !(await this.checkExitFile(id))) {
              this.table.apply(id, { type: 'lost', at: Date.now(), reason: 'the main process vanished without an exit status' });
              this.polled.delete(id);
              await this.persistQuietly('lost job');
            }
          })
          .catch((err: unknown) => this.logger.error({ err, job: id }, 'checking a re-adopted job failed'));
      }
    }, this.opts.pollMs);
    this.pollTimer.unref();
  }

  runningJobs(): Job[] {
    return [...this.table.all()].filter((j) => j.state.kind === 'running');
  }

  /** Stops every running job (unless keepJobs) and clears timers. */
  async shutdown(keepJobs: boolean): Promise<number> {
    for (const id of [...this.timeouts.keys()]) this.clearTimeout(id);
    const running = keepJobs ? [] : this.runningJobs();
    // Polling stays on while stopping: it is how the end of a re-adopted job (no shim channel) is seen.
    await Promise.all(running.map((j) => this.stop(j.id, 'SIGTERM', this.opts.defaultGraceMs, 'shutdown').catch(() => undefined)));
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = null;
    return running.length;
  }
}

function resolveSignal(input: string | number): NodeJS.Signals {
  const sig = parseSignal(input);
  if (!sig) throw new ProcdError(ErrorCode.BadSignal, `unknown signal: ${input} (try SIGTERM, SIGINT, SIGKILL, HUP or 15)`, { signal: input });
  return sig.name as NodeJS.Signals;
}

/** Segment size: a quarter of the cap, between 4 KiB and 64 MiB, so rotation drops at most a quarter. */
export function segmentSizeFor(maxOutputBytes: number): number {
  return Math.max(4096, Math.min(64 << 20, Math.floor(maxOutputBytes / 4)));
}

/** Variables a job gets from the daemon when the caller sent no environment (the client library always sends its own). */
const BASE_ENV_KEYS = ['PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR'];

function baseEnvironment(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const k of BASE_ENV_KEYS) if (process.env[k] !== undefined) env[k] = process.env[k]!;
  return env;
}
