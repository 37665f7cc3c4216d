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
  /** Ids of the jobs in `queued` (kept from the table's changes): admission has work only when there is one. */
  private readonly queued = new Set<number>();
  /** Jobs track has not flushed yet: not candidates. */
  private readonly held = new Set<number>();
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
    for (const job of table.all()) if (job.state.kind === 'queued') this.queued.add(job.id);
    table.on('change', ({ job }) => {
      if (job.state.kind === 'queued') this.queued.add(job.id);
      else this.queued.delete(job.id);
      this.request();
    });
    table.on('removed', (job) => {
      this.queued.delete(job.id);
      this.request();
    });
  }

  /** Whether a new job with this spec waits in the queue instead of starting at once. */
  mustQueue(spec: Pick<JobSpec, 'group' | 'after'>): boolean {
    if (spec.after?.length || this.gated(spec)) return true;
    // First come, first served: behind jobs already waiting in its group.
    const group = spec.group ?? DEFAULT_GROUP;
    for (const id of this.queued) {
      const j = this.table.get(id);
      if (j && waitsInQueue(j, this.clock.now()) && groupOf(j) === group) return true;
    }
    return false;
  }

  /** Whether starting a job of this spec needs the queue's say: its group is limited or paused, or a global limit or resource admission is on. */
  gated(spec: Pick<JobSpec, 'group'>): boolean {
    if (this.opts.maxRunning !== null || this.opts.resourcesShort) return true;
    const group = this.groups.get(spec.group ?? DEFAULT_GROUP);
    return !!group && (group.paused || group.parallel !== null);
  }

  /** One admission pass soon (several triggers in a row make one pass). */
  request(): void {
    // Nothing queued, nothing to admit: a burst of 100 starts made a pass over every job per tick.
    if (this.scheduled || this.stopped || this.queued.size === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.admitNow();
    });
  }

  hold(id: number): void {
    this.held.add(id);
  }

  release(id: number): void {
    this.held.delete(id);
  }

  /** Runs admission now and applies it; returns what it decided (nothing once the daemon stops). */
  admitNow(): AdmissionResult {
    if (this.stopped) return { start: [], fail: [], waiting: new Map() };
    const now = this.clock.now();
    const jobs = [...this.table.all()];
    // Timed starts that are due are candidates only where the queue gates them; elsewhere their own timer starts them.
    const candidates = jobs.filter((j) => waitsInQueue(j, now) && !this.held.has(j.id) && (j.state.kind === 'queued' && j.state.reason.kind === 'queue' ? true : this.gated(j.spec))).map((j) => this.candidateOf(j));
    const remembered = this.rememberMet(candidates);
    const running = new Map<string, number>();
    for (const j of jobs) if (occupiesSlot(j)) running.set(groupOf(j), (running.get(groupOf(j)) ?? 0) + 1);
    const result = admit({
      candidates,
      running,
      groups: this.groups,
      maxRunning: this.opts.maxRunning,
      resourcesShort: this.opts.resourcesShort?.() ?? null,
      // The machine's figures lag what was just started: with resource admission, one start per pass.
      maxStarts: this.opts.resourcesShort ? 1 : null,
      now,
      agingStepMs: this.opts.agingStepMs,
    });
    for (const { id, detail } of result.fail) {
      if (this.table.apply(id, { type: 'dependency_failed', at: now, detail })) this.logger.info({ job: id, detail }, 'dependency failed: the job ends without running');
    }
    if (result.fail.length || remembered) this.table.flush().catch((err: unknown) => this.logger.error({ err }, "could not save the queue's decisions; retried with the next change"));
    for (const id of result.start) {
      const job = this.table.updateVolatile(id, () => ({ standing: undefined }));
      if (job) this.launchNow(job);
    }
    for (const [id, standing] of result.waiting) {
      if (this.table.get(id)?.state.kind !== 'queued') continue;
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
      return { ...config, running: mine.filter(occupiesSlot).length, queued: mine.filter((j) => waitsInQueue(j, this.clock.now())).length };
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
    const waiting = [...this.table.all()].filter((j) => waitsInQueue(j, this.clock.now()) && groupOf(j) === name).map((j) => j.id);
    if (waiting.length) throw new ProcdError(ErrorCode.GroupInUse, `group ${name} has ${waiting.length} queued job(s) (${waiting.join(', ')}): kill them or let them start first`, { group: name, jobs: waiting });
    const groups = new Map(this.groups);
    groups.delete(name);
    this.store.save(groups);
    this.groups = groups;
    this.request();
  }

  private candidateOf(job: Job): Candidate {
    const met = new Set(job.afterMet ?? []);
    return {
      id: job.id,
      group: groupOf(job),
      priority: job.spec.priority ?? 0,
      queuedAt: job.state.kind === 'queued' ? job.state.queuedAt : job.createdAt,
      dependencies: (job.spec.after ?? []).map((d, i) => ({
        ref: d.ref,
        condition: d.condition,
        verdict: met.has(i) ? { state: 'met' as const } : dependencyVerdict(d.condition, this.dependencyJob(d.job), d.ref),
      })),
    };
  }

  /** A dependency met once stays met (durably): its job may be removed or run again while this one waits for a slot. */
  private rememberMet(candidates: readonly Candidate[]): boolean {
    let changed = false;
    for (const c of candidates) {
      const met = c.dependencies.flatMap((d, i) => (d.verdict.state === 'met' ? [i] : []));
      const job = this.table.get(c.id);
      if (!job || met.length === (job.afterMet?.length ?? 0)) continue;
      this.table.update(c.id, () => ({ afterMet: met }));
      changed = true;
    }
    return changed;
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

/**
 * Waiting in the queue: reason `queue`, or a timed start (a restart's backoff, a start time) that
 * is due — its timer handed it to the queue because its group has a limit (Starter.schedule).
 */
export function waitsInQueue(job: Job, now: number): boolean {
  if (job.state.kind !== 'queued') return false;
  const reason = job.state.reason;
  return reason.kind === 'queue' || reason.at <= now;
}

/**
 * A job being launched or with a live process takes a slot of its group; a paused one keeps it (it
 * would take one back when resumed, above the limit). An adopted process does not: procd never
 * admitted it, and counting it would hold queued work back for a process procd did not start.
 */
function occupiesSlot(job: Job): boolean {
  if (job.spec.command.kind === 'adopted') return false;
  return hasLiveProcess(job.state) || job.state.kind === 'starting';
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
