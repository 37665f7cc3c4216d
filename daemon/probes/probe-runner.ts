// Runs each running job's probes (issue 12): a check when it is due (probe-state.ts says when),
// its result counted against the thresholds, and what that changes acted on — `ready` made
// durable and announced (`job.ready`), `unhealthy` stopping the job for its restart policy
// (outcome `unhealthy`, detail `liveness`) or, with policy `no`, left to the monitor to flag.
// A run's probes start when it is running and end with it; a paused job is not checked (a frozen
// server cannot answer, and that says nothing about its health).

import { EventEmitter } from 'node:events';
import { hasLiveProcess, type Job, type JobId } from '../../shared/job.js';
import { PROBE_ROLES, type ProbeResult, type ProbeRole, type ProbeSpec } from '../../shared/probes.js';
import type { Deadlines } from '../jobs/deadlines.js';
import type { JobTable } from '../jobs/job-table.js';
import type { Logger } from '../logger.js';
import type { CheckerFactory, ProbeCheck, ProbeTarget } from './check.js';
import { afterCheck, nextCheckAt } from './probe-state.js';

export interface ProbeRunnerDeps {
  table: JobTable;
  deadlines: Deadlines;
  createCheck: CheckerFactory;
  /** The live processes of a job's tree now. */
  pidsOf(job: Job): Promise<readonly number[]>;
  /** The liveness probe failed `failureThreshold` times and the job has a restart policy: stop it (it then restarts). */
  stopUnhealthy(id: JobId): Promise<unknown>;
  logger: Logger;
}

/** One run's probes: identified by job and run start, so a result from an earlier run is dropped. */
interface RunProbes {
  id: JobId;
  runStartedAt: number;
  checks: Partial<Record<ProbeRole, ProbeCheck>>;
  closed: boolean;
}

export class ProbeRunner extends EventEmitter<{ ready: [Job]; unhealthy: [Job, ProbeResult] }> {
  private readonly runs = new Map<JobId, RunProbes>();
  /** Checks run so far, by outcome (for `daemon status` and the bench). */
  readonly counts = { passed: 0, failed: 0 };

  constructor(private readonly deps: ProbeRunnerDeps) {
    super();
    deps.table.on('change', ({ job }) => this.sync(job));
    deps.table.on('removed', (job) => this.close(job.id));
  }

  /** Starts the probes of every running job (at daemon start, after recovery). */
  start(): void {
    for (const job of this.deps.table.all()) this.sync(job);
  }

  stop(): void {
    for (const id of [...this.runs.keys()]) this.close(id);
  }

  /** Whether the job's probes are running (tests, `daemon status`). */
  get active(): number {
    return this.runs.size;
  }

  private sync(job: Job): void {
    const current = this.runs.get(job.id);
    const runStartedAt = hasLiveProcess(job.state) && job.spec.probes ? job.state.startedAt : null;
    if (current && current.runStartedAt === runStartedAt) return;
    if (current) this.close(job.id);
    if (runStartedAt === null || !job.spec.probes) return;
    const run: RunProbes = { id: job.id, runStartedAt, checks: {}, closed: false };
    this.runs.set(job.id, run);
    const target = this.targetOf(job);
    for (const role of PROBE_ROLES) {
      const spec = job.spec.probes[role];
      if (!spec) continue;
      run.checks[role] = this.deps.createCheck(spec.when, target);
      this.schedule(run, role, spec, null);
    }
  }

  private close(id: JobId): void {
    const run = this.runs.get(id);
    if (!run) return;
    run.closed = true;
    this.runs.delete(id);
    for (const role of PROBE_ROLES) {
      this.deps.deadlines.cancel(timerKey(id, role));
      run.checks[role]?.close();
    }
  }

  private schedule(run: RunProbes, role: ProbeRole, spec: ProbeSpec, lastEndedAt: number | null): void {
    if (run.closed) return;
    const job = this.deps.table.get(run.id);
    const due = nextCheckAt(role, spec, job?.probes, run.runStartedAt, lastEndedAt, !!job?.spec.probes?.ready);
    if (due === null) return;
    this.deps.deadlines.at(timerKey(run.id, role), due, () => void this.check(run, role, spec));
  }

  private async check(run: RunProbes, role: ProbeRole, spec: ProbeSpec): Promise<void> {
    const check = run.checks[role];
    const job = this.deps.table.get(run.id);
    // A job being stopped is not checked any more: its end is near, whatever a check would say.
    if (run.closed || !check || !job || job.pendingKill) return;
    // A paused job is skipped, not failed: the next check is an interval later.
    if (job.state.kind === 'paused') return this.schedule(run, role, spec, this.deps.deadlines.now());
    const startedAt = this.deps.deadlines.now();
    const answer = await check.run(spec.timeoutMs).catch((err: unknown) => ({ ok: false, detail: `check failed: ${(err as Error).message}` }));
    if (run.closed) return;
    const endedAt = this.deps.deadlines.now();
    this.counts[answer.ok ? 'passed' : 'failed']++;
    await this.record(run, role, spec, { at: startedAt, ok: answer.ok, detail: answer.detail });
    this.schedule(run, role, spec, endedAt);
  }

  private async record(run: RunProbes, role: ProbeRole, spec: ProbeSpec, result: ProbeResult): Promise<void> {
    const job = this.deps.table.get(run.id);
    if (!job || !hasLiveProcess(job.state) || job.state.startedAt !== run.runStartedAt) return;
    const { status, change } = afterCheck(job.probes, role, spec, result, run.runStartedAt);
    if (!change) {
      // Counts and the last result change with every check: kept in memory, on disk with the next durable change.
      const kept = this.deps.table.updateVolatile(run.id, () => ({ probes: status }));
      // Still unhealthy and not being stopped (the stop failed, or a daemon crash came between the
      // record and the stop): stop it now. The stopper joins a stop already under way.
      if (kept && status.unhealthySince !== null && kept.spec.restart && !kept.pendingKill) this.stopUnhealthy(run.id);
      return;
    }
    const updated = this.deps.table.update(run.id, () => ({ probes: status }));
    if (!updated) return;
    // On disk before it is announced or acted on: a daemon crash right after never loses a `ready` a subscriber saw.
    await this.deps.table.flush().catch((err: unknown) => this.deps.logger.error({ err, job: run.id }, 'could not save a probe result; retried with the next change'));
    const log = { job: run.id, name: updated.name, role, detail: result.detail };
    if (change === 'ready') {
      this.deps.logger.info({ ...log, tookMs: status.ready?.tookMs }, 'job ready');
      this.emit('ready', updated);
      // Liveness waited for this (probe-state.ts nextCheckAt).
      const alive = updated.spec.probes?.alive;
      if (alive && !this.deps.deadlines.has(timerKey(run.id, 'alive'))) this.schedule(run, 'alive', alive, null);
    } else if (change === 'unhealthy') {
      this.deps.logger.info({ ...log, failures: status.liveness?.failures }, 'liveness probe failed');
      this.emit('unhealthy', updated, result);
      if (updated.spec.restart) this.stopUnhealthy(run.id);
    } else {
      this.deps.logger.info(log, 'liveness probe passes again');
    }
  }

  private stopUnhealthy(id: JobId): void {
    this.deps.stopUnhealthy(id).catch((err: unknown) => this.deps.logger.info({ err, job: id }, 'stopping an unhealthy job failed (it may have ended already)'));
  }

  private targetOf(job: Job): ProbeTarget {
    return {
      jobId: job.id,
      cwd: job.spec.cwd,
      env: job.spec.env,
      dir: job.dir,
      pids: () => {
        const now = this.deps.table.get(job.id);
        return now ? this.deps.pidsOf(now) : Promise.resolve([]);
      },
    };
  }
}

function timerKey(id: JobId, role: ProbeRole): string {
  return `probe:${id}:${role}`;
}
