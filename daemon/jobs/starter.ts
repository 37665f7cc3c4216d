// The starter: turns a track request into a job record (durable before any process exists),
// hands it to the launcher, and follows the shim's channel until the job has started or failed
// to. Queued jobs are launched here when their time comes.

import { join } from 'node:path';
import { ErrorCode, ProcdError } from '../../shared/errors.js';
import { hasLiveProcess, isTerminal, type Job, type JobId, type JobSpec, type SpawnError } from '../../shared/job.js';
import { keepsUp } from '../../shared/restart.js';
import type { Dependency } from '../../shared/queue.js';
import { hasLimits, type JobLimits } from '../../shared/limits.js';
import type { ParamsOf } from '../../shared/methods.js';
import { shimSpawnError, type ShimEvent } from '../output/spawn-spec.js';
import { readIdentity } from '../proc/process-table.js';
import type { EndWatcher } from './end-watcher.js';
import { INSTANCE_MARKER, JOB_MARKER } from './kill-tree.js';
import { CgroupCreateError, createJobCgroup, newJobCgroupName } from '../cgroup/job-cgroup.js';
import { applyKernelLimits } from '../cgroup/limits.js';
import { shimFailureMessage, type Launcher } from './launcher.js';
import { buildSpec, parseDependency } from './job-spec.js';
import { defaultJobName, shellJobName } from './names.js';
import { refreshOutput } from './output-figures.js';
import { perlPath, type ShimGone, type ShimHandle } from './shim-runner.js';
import type { Stopper } from './stopper.js';
import { queueKey, type SupervisorContext } from './supervisor-context.js';
import { waitFor } from './waits.js';
import { decideEnsure, specDiffersError } from './ensure.js';
import type { JobOwner } from '../../shared/owner.js';

/** What track did: the job it started, or with `ensure` the live one it answered instead. */
export interface TrackOutcome {
  job: Job;
  reused: boolean;
}

const START_TIMEOUT_MS = 15_000;
const DEFAULT_SHELL = '/bin/sh';

/** What the starter asks of the queue (daemon/queue/job-queue.ts). */
export interface QueueGate {
  mustQueue(spec: JobSpec): boolean;
  /** Whether its group's limit, a global limit or resource admission decides when it starts. */
  gated(spec: JobSpec): boolean;
  admitNow(): { start: number[] };
  /** Not a candidate until released (a job whose record is not on disk yet). */
  hold(id: JobId): void;
  release(id: JobId): void;
  /** A timed start (a restart's backoff, a start time) is due: admission decides when it runs. */
  request(): void;
  /** No more admission (the daemon is stopping): nothing starts while jobs are being stopped. */
  stop(): void;
}

export class Starter {
  /** The queue, once the supervisor made it; without one every job starts at once. */
  queue: QueueGate | null = null;

  constructor(
    private readonly ctx: SupervisorContext,
    private readonly launcher: Launcher,
    private readonly ends: EndWatcher,
    private readonly stopper: Stopper,
  ) {}

  /** Starts the job; with `ensure`, answers the live one instead when it is the same job (`reused`). */
  async track(params: ParamsOf<'track'>, owner: JobOwner | null = null): Promise<TrackOutcome> {
    const { table, opts, store } = this.ctx;
    if ((params.argv === undefined) === (params.shell === undefined)) {
      throw new ProcdError(ErrorCode.InvalidParams, 'invalid params: give exactly one of argv or shell', { field: 'params.argv' });
    }
    if (params.argv && params.argv[0] === '') {
      throw new ProcdError(ErrorCode.InvalidParams, 'invalid params.argv[0]: expected the command to run, got an empty string', { field: 'params.argv[0]', expected: 'a non-empty string' });
    }
    const command = params.argv
      ? ({ kind: 'argv', argv: params.argv } as const)
      : ({ kind: 'shell', script: params.shell!, shell: DEFAULT_SHELL } as const);
    const base = params.name ?? (command.kind === 'argv' ? defaultJobName(command.argv[0]!) : shellJobName(command.script));
    // Checked (a bad stop signal, an unknown dependency refused) before the live job of this name is replaced.
    const after = (params.after ?? []).map((text) => this.dependencyOf(text));
    const built = buildSpec(params, command, { ...(params.env ?? baseEnvironment()) }, { stuckAfterMs: opts.defaultStuckAfterMs, maxOutputBytes: opts.defaultMaxOutputBytes }, after);
    const spec: JobSpec = { ...built, ...limitsOf(params.limits) };
    if (params.ensure) {
      // The last decision (start) is taken with no await before create(): concurrent ensures of one job start it once.
      const stopped = new Set<JobId>();
      for (let d = decideEnsure(table.all(), params.name, spec); d.kind !== 'start'; d = decideEnsure(table.all(), params.name, spec)) {
        if (d.kind === 'reuse') return { job: await this.started(d.job), reused: true };
        // Another spec: refused; with `replace` stopped first (a job that could not be stopped is refused, not looped on).
        if (!params.replace || stopped.has(d.job.id)) throw specDiffersError(d, params.name !== undefined);
        stopped.add(d.job.id);
        this.ctx.logger.info({ job: d.job.id, name: d.job.name }, 'ensure --replace: the live job runs another spec; stopping it');
        await this.stopper.stopLive(d.job.id, 'user');
      }
    } else if (params.replace) await this.replaceLive(base);
    // From here to create() nothing awaits: the name check and the insert are one step.
    const queued = this.queue?.mustQueue(spec) ?? false;
    const job = table.create({
      // With `ensure`, `replace` stopped only a job of this spec's signature: an unnamed job still gets a free name.
      name: params.name !== undefined || (params.replace && !params.ensure) ? base : table.freeName(base),
      description: params.description ?? null,
      tags: params.tags ?? [],
      spec,
      ...(owner ? { owner } : {}),
      dirFor: (id) => join(opts.jobsDir, String(id)),
      // Named in the record written before the launch: recovery, the janitor and kill find it.
      ...(opts.cgroupRoot ? { cgroupFor: (id: JobId) => newJobCgroupName(id) } : {}),
      ...(queued ? { queued: { kind: 'queue' as const, detail: 'in the queue' } } : {}),
    });
    // The record is on disk before any process exists: a daemon crash from here on leaves a job
    // the next daemon knows (and re-adopts), never an untracked process whose id is handed out again.
    // Until then the queue may not pick it (an admission pass can run while the flush waits).
    if (queued) this.queue!.hold(job.id);
    try {
      await store.flush();
    } catch (err) {
      table.remove(job.id);
      throw err;
    } finally {
      if (queued) this.queue!.release(job.id);
    }
    if (queued) {
      // Its turn may be now: then answer once it runs (or failed to start), as without a queue.
      // Held until now, so no other pass picked it; the launch this pass starts applies just after.
      if (!this.queue!.admitNow().start.includes(job.id)) return { job: table.get(job.id) ?? job, reused: false };
      await waitFor(table, this.ctx.deadlines, [job.id], ([j]) => !j || (j.state.kind !== 'queued' && j.state.kind !== 'starting'), { timeoutMs: START_TIMEOUT_MS });
    } else {
      await this.launch(job.id);
    }
    await this.ctx.persistQuietly('track after spawn');
    return { job: table.get(job.id) ?? job, reused: false };
  }

  /** The job once it has left `starting` (as a track answers), or as it is after the start timeout. */
  private async started(job: Job): Promise<Job> {
    const { table, deadlines } = this.ctx;
    await waitFor(table, deadlines, [job.id], ([j]) => !j || j.state.kind !== 'starting', { timeoutMs: START_TIMEOUT_MS });
    return table.get(job.id) ?? job;
  }

  /** `--after REF[:CONDITION]`: the job REF names now (its id is kept, so a later job of that name is not it). */
  private dependencyOf(text: string): Dependency {
    const { ref, condition } = parseDependency(text);
    let job: Job;
    try {
      job = this.ctx.table.resolve(/^\d+$/.test(ref) ? Number(ref) : ref);
    } catch (err) {
      if (err instanceof ProcdError && err.code === ErrorCode.JobNotFound) throw new ProcdError(ErrorCode.JobNotFound, `--after ${text}: no job ${/^\d+$/.test(ref) ? ref : `named ${ref}`}`, { field: 'params.after', ref });
      throw err;
    }
    // A service its policy keeps up never completes or ends: a dependant would wait forever.
    if ((condition === 'completed' || condition === 'ended') && !isTerminal(job.state) && job.spec.restart && keepsUp(job.spec.restart.policy)) {
      throw new ProcdError(ErrorCode.InvalidParams, `--after ${text}: job ${job.id} (${job.name}) is kept up by its restart policy (${job.spec.restart.policy}): it never ${condition === 'completed' ? 'completes' : 'ends'}; wait for ${ref}:started or ${ref}:ready`, { field: 'params.after', ref });
    }
    return { job: job.id, ref, condition };
  }

  /** `track --replace`: the live job with this name is stopped (kill procedure, with its own stop signal and grace) before the new one is created. */
  private async replaceLive(name: string): Promise<void> {
    const live = this.ctx.table.liveNamed(name);
    if (!live) return;
    this.ctx.logger.info({ job: live.id, name }, 'replacing the live job with this name: stopping it');
    await this.stopper.stopLive(live.id, 'user');
  }

  /**
   * Arms a queued job's start: at its not-before time (or `at`, when given: `procd restart` starts
   * it now) it is launched (also after a daemon restart). A job in the queue waits for its turn
   * (daemon/queue/) unless `at` is given.
   */
  schedule(job: Job, at?: number, admitted = false): void {
    if (job.state.kind !== 'queued') return;
    const reason = job.state.reason;
    const due = at ?? (reason.kind === 'queue' ? null : reason.at);
    if (due === null) return;
    const restart = reason.kind === 'restart';
    this.ctx.deadlines.at(queueKey(job.id), due, () => {
      // In a group with a limit (or under a global limit, or resource admission) its time being
      // due makes it a candidate: the queue starts it when there is room (job-queue.ts waitsInQueue).
      const current = this.ctx.table.get(job.id);
      if (!admitted && current && this.queue?.gated(current.spec)) return this.queue.request();
      // A next run starts clean: what the earlier run left (a server's child holding the port)
      // is stopped first, as systemd does for a service's restart.
      const swept = restart ? this.stopper.sweepEarlierRuns(job.id) : Promise.resolve();
      void swept
        .then(() => {
          const now = this.ctx.table.apply(job.id, { type: 'launch', at: this.ctx.deadlines.now() });
          if (!now) return;
          this.nameCgroup(job.id);
          return this.ctx
            .persistQuietly('queued job launching')
            .then(() => this.launch(job.id))
            .then(() => this.ctx.persistQuietly('queued job launched'));
        })
        .catch((err: unknown) => this.ctx.logger.error({ err, job: job.id }, 'launching a queued job failed'));
    });
  }

  /**
   * Records a fresh cgroup name for the job's next launch (with a cgroup per job), before the
   * write that precedes the launch: recovery, the janitor and kill find it by that name, and a
   * job id handed out again never lands in an old job's cgroup.
   */
  private nameCgroup(id: JobId): void {
    if (this.ctx.opts.cgroupRoot) this.ctx.table.update(id, () => ({ cgroup: newJobCgroupName(id) }));
  }

  /** Starts a `starting` job's shim and resolves once the job runs or has failed to start. */
  private async launch(id: JobId): Promise<void> {
    const { table, deadlines, logger } = this.ctx;
    const job = table.get(id);
    if (!job || job.state.kind !== 'starting') return;
    const command = job.spec.command;
    const argv = command.kind === 'shell' ? [command.shell, '-c', command.script] : command.argv;
    const env = { ...job.spec.env, [JOB_MARKER]: String(id), [INSTANCE_MARKER]: this.ctx.opts.instance };
    const fail = (error: SpawnError) => {
      if (table.apply(id, { type: 'spawn_failed', at: Date.now(), error })) logger.warn({ job: id, error }, 'job failed to start');
    };
    let cgroup: string | null = null;
    const root = this.ctx.opts.cgroupRoot ?? null;
    if (root) {
      if (!job.cgroup) this.nameCgroup(id);
      try {
        cgroup = await createJobCgroup(root, table.get(id)?.cgroup ?? newJobCgroupName(id));
      } catch (err) {
        if (!(err instanceof CgroupCreateError)) throw err;
        logger.error({ job: id, cgroup: err.path, code: err.code }, err.message);
        // ECGROUP, not the errno (which is in the message): ENOENT would read as "command not found".
        return fail({ code: 'ECGROUP', message: err.message });
      }
    }
    // One at a time, in the order the shim reported them (its end is never judged before its
    // start), and none before the launch has returned its pid (a fork server may relay the first
    // events in the same read as the pid).
    let launched!: () => void;
    let handled = new Promise<void>((resolve) => (launched = resolve));
    // Read at each event: a shim that found the directory claimed hands over to the claimant (shim-claim.ts).
    let shim: ShimHandle | null = null;
    const shimPid = () => shim?.pid ?? -1;
    // A shim speaks for its own run only: once the job moved on to its next run (a restart), a late
    // event of the previous run's shim (its `closed`, its end) is not about the current one.
    const ofThisRun = () => table.get(id)?.dir === job.dir;
    const listeners = {
      event: (event: ShimEvent) => {
        handled = handled
          .then(() => (ofThisRun() ? this.onShimEvent(id, shimPid(), event) : undefined))
          .catch((err: unknown) => logger.error({ err, job: id, event: event.type }, 'handling a shim event failed'));
      },
      gone: (gone: ShimGone) => {
        handled = handled.then(() => (ofThisRun() ? this.onShimGone(id, shimPid(), gone) : undefined)).catch((err: unknown) => logger.error({ err, job: id }, 'handling the end of a shim failed'));
      },
    };
    try {
      if (root && cgroup) await this.applyKernelLimits(id, root, cgroup, job.spec.limits);
      shim = await this.launcher.launch({ jobDir: job.dir, argv, cwd: job.spec.cwd, env, maxOutputBytes: job.spec.maxOutputBytes, cgroup }, listeners);
    } catch (err) {
      return fail({ code: 'EPROCD', message: `could not start the job's shim: ${(err as Error).message}` });
    } finally {
      launched();
    }
    const outcome = await waitFor(table, deadlines, [id], ([j]) => !j || j.state.kind !== 'starting', { timeoutMs: START_TIMEOUT_MS });
    if (outcome === 'timeout') fail({ code: 'ETIMEDOUT', message: `the shim did not report a start within ${START_TIMEOUT_MS / 1000}s (${this.launcher.description})` });
  }

  /** Where the job's cgroup has the controllers, the kernel holds its limits too (daemon/cgroup/limits.ts). */
  private async applyKernelLimits(id: JobId, root: string, cgroup: string, limits: JobLimits | undefined): Promise<void> {
    const { written, failed } = await applyKernelLimits(root, cgroup, limits);
    if (written.length) this.ctx.logger.info({ job: id, cgroup, written: written.map((w) => `${w.file}=${w.value}`) }, 'limits enforced by the kernel too');
    if (failed.length) this.ctx.logger.warn({ job: id, cgroup, failed }, 'could not write limits into the job cgroup; they are sampled only');
  }

  private async onShimEvent(id: JobId, shimPid: number, event: ShimEvent): Promise<void> {
    const { table, logger } = this.ctx;
    if (event.type === 'started') {
      const identity = await readIdentity(event.pid);
      const job = table.apply(id, { type: 'started', at: event.at, pid: event.pid, startTicks: identity?.startTicks ?? null, shimPid });
      if (job) {
        logger.info({ job: id, name: job.name, pid: event.pid }, 'job started');
        this.stopper.armTimeout(job);
      }
    } else if (event.type === 'spawn_error') {
      const job = table.apply(id, { type: 'spawn_failed', at: event.at, error: shimSpawnError(event.code, event.message) });
      if (job) logger.info({ job: id, error: event.code }, 'job failed to start');
    } else if (event.type === 'exited') {
      await this.ends.finish(id, event.exitCode, event.signal, event.at);
    } else if (event.type === 'closed') {
      // Everything the job (and any leftover) wrote is now on disk: the figures are final.
      await refreshOutput(table, id);
    }
    await this.ctx.persistQuietly('shim event');
  }

  /**
   * The shim ended: normal after `closed`. Before the job started, the shim itself failed (no
   * interpreter, a broken script): the job fails with the reason. Killed without writing an exit
   * file (OOM killer, `pkill perl`), it can no longer report the job's end: the job is watched by
   * its pid and start time, like a re-adopted one.
   */
  private async onShimGone(id: JobId, shimPid: number, gone: ShimGone): Promise<void> {
    const { table, logger } = this.ctx;
    if (await this.ends.checkExitFile(id)) return;
    const job = table.get(id);
    if (job?.state.kind === 'starting') {
      const message = await shimFailureMessage(job.dir, gone, perlPath());
      if (table.apply(id, { type: 'spawn_failed', at: Date.now(), error: { code: 'ESHIM', message } })) logger.error({ job: id, shimPid }, message);
      await this.ctx.persistQuietly('shim failed');
    } else if (job && hasLiveProcess(job.state)) {
      logger.warn({ job: id, shimPid }, "the job's shim ended before the job; watching the job by its pid");
      this.ends.watch(id);
    }
  }
}

/** The spec's limits from track's params: absent when none is set (`onLimit` alone limits nothing). */
function limitsOf(given: ParamsOf<'track'>['limits']): { limits?: JobLimits } {
  if (!given) return {};
  const limits: JobLimits = {
    maxMemoryBytes: given.maxMemoryBytes ?? null,
    maxCpuPercent: given.maxCpuPercent ?? null,
    maxFds: given.maxFds ?? null,
    maxProcs: given.maxProcs ?? null,
    onLimit: given.onLimit ?? 'kill',
  };
  return hasLimits(limits) ? { limits } : {};
}

/** Variables a job gets from the daemon when the caller sent no environment (the client library always sends its own). */
const BASE_ENV_KEYS = ['PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR'];

function baseEnvironment(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const k of BASE_ENV_KEYS) if (process.env[k] !== undefined) env[k] = process.env[k]!;
  return env;
}
