// The queue's acting layer (issue 13): gathers what admission.ts needs from the job table, applies
// its answer (start, fail with `dependency_failed`, or record each waiting job's standing), and
// keeps the groups' settings. Admission runs whenever something that could change its answer
// happens — a job queued, started, ready or ended, a group changed — coalesced into one pass, and
// on a timer while jobs wait (aging, resources).

import { ErrorCode, ProcdError } from '../../shared/errors.js';
import { hasLiveProcess, isTerminal, type Job, type JobSpec } from '../../shared/job.js';
import { DEFAULT_GROUP, type GroupConfig } from '../../shared/queue.js';
import type { Clock, TimerHandle } from '../jobs/clock.js';
import type { JobTable } from '../jobs/job-table.js';
import type { Logger } from '../logger.js';
import { admit, dependencyVerdict, type AdmissionResult, type Candidate, type DependencyJob } from './admission.js';
import type { GroupStore } from './group-store.js';

export interface QueueOptions {
  /** At most this many jobs run at once in all (PROCD_MAX_RUNNING); null: no limit. */
  maxRunning: number | null;
  /** A queued job's priority rises by one per this long waited (PROCD_QUEUE_AGING, default 30 s). */
  agingStepMs: number;
  /** Resource-aware admission (off: null): why the machine has no room now, or null when it has. */
  resourcesShort: (() => string | null) | null;
}

export interface GroupView extends GroupConfig {
  running: number;
  queued: number;
}

/** How often admission runs again while jobs wait (aging, resources); changes trigger it at once. */
const RECHECK_MS = 1000;

export class JobQueue {
  private groups: Map<string, GroupConfig>;
  private scheduled = false;
  private timer: TimerHandle | null = null;
  private stopped = false;

  constructor(
    private readonly table: JobTable,
    private readonly launchNow: (job: Job) => void,
    private readonly store: GroupStore,
    private readonly opts: QueueOptions,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {
    this.groups = store.load();
    table.on('change', () => this.request());
    table.on('removed', () => this.request());
  }

  /** Whether a new job with this spec waits in the queue instead of starting at once. */
  mustQueue(spec: Pick<JobSpec, 'group' | 'after'>): boolean {
    if (spec.after?.length || this.opts.maxRunning !== null || this.opts.resourcesShort) return true;
    const group = this.groups.get(spec.group ?? DEFAULT_GROUP);
    if (group && (group.paused || group.parallel !== null)) return true;
    // First come, first served: behind jobs already waiting in its group.
    return [...this.table.all()].some((j) => waitsInQueue(j) && (j.spec.group ?? DEFAULT_GROUP) === (spec.group ?? DEFAULT_GROUP));
  }

  /** One admission pass soon (several triggers in a row make one pass). */
  request(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.admitNow();
    });
  }

  /** Runs admission now and applies it; returns what it decided. */
  admitNow(): AdmissionResult {
    const now = this.clock.now();
    const jobs = [...this.table.all()];
    const candidates = jobs.filter(waitsInQueue).map((j) => this.candidateOf(j));
    const running = new Map<string, number>();
    for (const j of jobs) if (hasLiveProcess(j.state) || j.state.kind === 'starting') running.set(groupOf(j), (running.get(groupOf(j)) ?? 0) + 1);
    const result = admit({ candidates, running, groups: this.groups, maxRunning: this.opts.maxRunning, resourcesShort: this.opts.resourcesShort?.() ?? null, now, agingStepMs: this.opts.agingStepMs });
    for (const { id, detail } of result.fail) {
      if (this.table.apply(id, { type: 'dependency_failed', at: now, detail })) this.logger.info({ job: id, detail }, 'dependency failed: the job ends without running');
    }
    if (result.fail.length) this.table.flush().catch((err: unknown) => this.logger.error({ err }, 'could not save failed dependants; retried with the next change'));
    for (const id of result.start) {
      const job = this.table.updateVolatile(id, () => ({ standing: undefined }));
      if (job) this.launchNow(job);
    }
    for (const [id, standing] of result.waiting) {
      const job = this.table.get(id);
      const was = job?.standing;
      if (!was || was.position !== standing.position || was.detail !== standing.detail) this.table.updateVolatile(id, () => ({ standing }));
    }
    this.armRecheck(result.waiting.size > 0);
    return result;
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
  }

  listGroups(): GroupView[] {
    const names = new Set<string>([DEFAULT_GROUP, ...this.groups.keys()]);
    const jobs = [...this.table.all()];
    for (const j of jobs) if (!isTerminal(j.state)) names.add(groupOf(j));
    return [...names].sort().map((name) => {
      const config = this.groups.get(name) ?? { name, parallel: null, paused: false };
      const mine = jobs.filter((j) => groupOf(j) === name);
      return { ...config, running: mine.filter((j) => hasLiveProcess(j.state) || j.state.kind === 'starting').length, queued: mine.filter(waitsInQueue).length };
    });
  }

  /** Creates or changes a group (`procd group set`); durable before it returns. */
  setGroup(name: string, change: { parallel?: number | null; paused?: boolean }): GroupView {
    const was = this.groups.get(name) ?? { name, parallel: null, paused: false };
    const next = { ...was, ...(change.parallel !== undefined ? { parallel: change.parallel } : {}), ...(change.paused !== undefined ? { paused: change.paused } : {}) };
    const groups = new Map(this.groups).set(name, next);
    this.store.save(groups);
    this.groups = groups;
    this.logger.info({ group: next }, 'queue group set');
    this.request();
    return this.listGroups().find((g) => g.name === name)!;
  }

  /** Removes a group's settings (`procd group rm`): refused while jobs wait in it. */
  removeGroup(name: string): void {
    if (!this.groups.has(name)) throw new ProcdError(ErrorCode.GroupNotFound, `no group ${name} is configured (procd group ls lists them)`, { group: name });
    const waiting = [...this.table.all()].filter((j) => waitsInQueue(j) && groupOf(j) === name).map((j) => j.id);
    if (waiting.length) throw new ProcdError(ErrorCode.GroupInUse, `group ${name} has ${waiting.length} queued job(s) (${waiting.join(', ')}): kill them or let them start first`, { group: name, jobs: waiting });
    const groups = new Map(this.groups);
    groups.delete(name);
    this.store.save(groups);
    this.groups = groups;
    this.request();
  }

  private candidateOf(job: Job): Candidate {
    return {
      id: job.id,
      group: groupOf(job),
      priority: job.spec.priority ?? 0,
      queuedAt: job.state.kind === 'queued' ? job.state.queuedAt : job.createdAt,
      dependencies: (job.spec.after ?? []).map((d) => ({ ref: d.ref, condition: d.condition, verdict: dependencyVerdict(d.condition, this.dependencyJob(d.job), d.ref) })),
    };
  }

  private dependencyJob(id: number): DependencyJob | undefined {
    const job = this.table.get(id);
    if (!job) return undefined;
    const s = job.state;
    const ran = (outcome: string) => outcome !== 'cancelled' && outcome !== 'spawn_error' && outcome !== 'dependency_failed';
    const everStarted = hasLiveProcess(s) || (isTerminal(s) && ran(s.outcome)) || (job.runs?.earlier ?? []).some((r) => ran(r.outcome));
    return {
      id: job.id,
      name: job.name,
      everStarted,
      hasReadiness: !!job.spec.probes?.ready,
      ready: !!job.probes?.ready,
      ended: isTerminal(s) ? { completed: s.kind === 'completed', how: endedHow(job) } : null,
    };
  }

  private armRecheck(waiting: boolean): void {
    if (!waiting || this.timer || this.stopped) return;
    this.timer = this.clock.setTimer(() => {
      this.timer = null;
      this.request();
    }, RECHECK_MS);
  }
}

/** Waiting in the queue (not a backoff or a start time: those have their own timers). */
export function waitsInQueue(job: Job): boolean {
  return job.state.kind === 'queued' && job.state.reason.kind === 'queue';
}

function groupOf(job: Job): string {
  return job.spec.group ?? DEFAULT_GROUP;
}

function endedHow(job: Job): string {
  const s = job.state;
  if (!isTerminal(s)) return s.kind;
  if (s.kind === 'completed') return 'completed';
  if (s.outcome === 'exit') return `failed (exit ${s.exitCode})`;
  // Down a chain, each link names only its own dependency (the first one's detail says why).
  if (s.outcome === 'dependency_failed') return 'failed (dependency_failed)';
  return `${s.kind} (${s.outcome}${s.outcomeDetail ? `: ${s.outcomeDetail}` : ''})`;
}
