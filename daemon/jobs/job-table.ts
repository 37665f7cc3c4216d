// The job table: the only code that changes job state. State changes go through the pure
// transition function; every change is queued to the durable store and announced to listeners.

import { EventEmitter } from 'node:events';
import { ErrorCode, ProcdError } from '../../shared/errors.js';
import { emptyStateCounts, isLive, isTerminal, summarize, type Job, type JobId, type JobSpec, type JobState, type JobSummary, type QueueReason, type TerminalState } from '../../shared/job.js';
import type { RunRecord } from '../../shared/restart.js';
import type { JobOwner } from '../../shared/owner.js';
import type { CountResult, JobRef, ParamsOf } from '../../shared/methods.js';
import type { StateStore } from '../store/state-store.js';
import { nextRunFields, type RunEndChange } from './run-end.js';
import { transition, type JobEvent } from './transitions.js';

export interface JobChange {
  job: Job;
  previous: JobState['kind'] | null;
  /** The job as it was before this change (null when it was just created). */
  before: Job | null;
}

export interface NewJob {
  name: string;
  description: string | null;
  tags: string[];
  spec: JobSpec;
  dirFor: (id: JobId) => string;
  /** The job's cgroup name for its first launch (with a cgroup per job); absent: none. */
  cgroupFor?: (id: JobId) => string;
  /** Why it must wait before it starts; absent: it starts now (`starting`). */
  queued?: QueueReason;
  /** Who started it; absent: nobody said (a client without hello). */
  owner?: JobOwner;
}

/** What update() may change: everything but the identity and the state (the state machine's alone). */
export type JobFields = Partial<Pick<Job, 'pendingKill' | 'flags' | 'flagHistory' | 'resources' | 'output' | 'violations' | 'cgroup' | 'runs' | 'probes' | 'afterMet' | 'progress'>>;

/** An event the state machine refused: logged by the daemon, never dropped silently. */
export interface RefusedEvent {
  job: Job;
  event: JobEvent;
  error: string;
}

/** A run ended (the job ended, or is queued for its next run): the job as it was at the end, how the run ended, and what the job became. */
export interface RunEnded {
  job: Job;
  ended: TerminalState;
  final: JobState;
}

export type ListFilter = ParamsOf<'list'>;

export class JobTable extends EventEmitter<{ change: [JobChange]; removed: [Job]; sample: [Job]; refused: [RefusedEvent]; runEnded: [RunEnded] }> {
  private readonly jobs: Map<JobId, Job>;
  private nextId: number;

  constructor(
    private readonly store: StateStore,
    initial: { jobs: Map<JobId, Job>; nextId: number },
  ) {
    super();
    // Every pending wait listens for changes (waits.ts): many concurrent waiters are normal.
    this.setMaxListeners(0);
    // Records from disk arrive complete: the store checks them and fills in what older versions lacked (store/records.ts).
    this.jobs = initial.jobs;
    this.nextId = initial.nextId;
  }

  /**
   * Creates the job. A live name is unique: when a live job already has this name it throws
   * NameInUse. The check and the insert are one synchronous step, so of concurrent creates with
   * one name exactly one wins.
   */
  create(input: NewJob, now = Date.now()): Job {
    const holder = this.liveNamed(input.name);
    if (holder) throw nameInUse(input.name, holder);
    const id = this.nextId++;
    const job: Job = {
      id,
      name: input.name,
      description: input.description,
      tags: input.tags,
      createdAt: now,
      spec: input.spec,
      state: input.queued ? { kind: 'queued', queuedAt: now, reason: input.queued } : { kind: 'starting', since: now },
      pendingKill: null,
      flags: [],
      flagHistory: [],
      resources: null,
      output: { stdoutBytes: 0, stderrBytes: 0, droppedBytes: 0, lastOutputAt: null },
      dir: input.dirFor(id),
      cgroup: input.cgroupFor?.(id) ?? null,
      ...(input.owner ? { owner: input.owner } : {}),
    };
    this.jobs.set(id, job);
    this.store.saveJob(job);
    this.emit('change', { job, previous: null, before: null });
    return job;
  }

  /**
   * What follows the end of a run (the supervisor sets it: restart policies, run-end.ts). Applied in
   * the same change as the end, so nobody sees a job that restarts end in between.
   */
  runEndPolicy: ((job: Job, ended: TerminalState) => RunEndChange | null) | null = null;

  /** Applies a lifecycle event through the state machine; returns null when it does not apply. */
  apply(id: JobId, event: JobEvent): Job | null {
    const job = this.jobs.get(id);
    if (!job) return null;
    const result = transition(job.state, event);
    if (!result.ok) {
      this.emit('refused', { job, event, error: result.error });
      return null;
    }
    const previous = job.state.kind;
    // A run ended (not a terminal state completed by kill_recorded): its pending stop is done, and its policy says what follows.
    const ended = isTerminal(result.state) && !isTerminal(job.state) ? result.state : null;
    const change = ended ? this.runEndPolicy?.(job, ended) : null;
    const state = change?.state ?? result.state;
    // A place in the queue means nothing once the job left it.
    const next: Job = { ...job, ...change, state, pendingKill: ended ? null : job.pendingKill, standing: state.kind === 'queued' ? job.standing : undefined };
    this.jobs.set(id, next);
    this.store.saveJob(next);
    this.emit('change', { job: next, previous, before: job });
    // Once per run, whatever follows it (the history records it: daemon/history/recorder.ts).
    if (ended) this.emit('runEnded', { job, ended, final: state });
    return next;
  }

  /**
   * An ended job runs again under its id (`procd restart`, a service back after a reboot): its last
   * run joins the run list and the next one is queued. A live job with its name refuses it (NameInUse).
   */
  requeue(id: JobId, reason: Extract<QueueReason, { kind: 'restart' }>, then: RunRecord['then']): Job | null {
    const job = this.jobs.get(id);
    if (!job || !isTerminal(job.state)) return null;
    const holder = this.liveNamed(job.name);
    if (holder && holder.id !== id) throw nameInUse(job.name, holder);
    const result = transition(job.state, { type: 'requeue', at: reason.at, reason });
    if (!result.ok) return null;
    // A restart by hand or by the next daemon leaves the policy's backoff memory as it was.
    const fields = nextRunFields(job, job.state, then, job.runs?.history ?? { restartTimes: [], quickFailures: 0 });
    const next: Job = { ...job, ...fields, state: result.state, pendingKill: null, flags: job.flags.filter((f) => f.kind === 'leftovers') };
    this.jobs.set(id, next);
    this.store.saveJob(next);
    this.emit('change', { job: next, previous: job.state.kind, before: job });
    return next;
  }

  /** Changes fields other than the identity and the state (pending kill, output figures, flags); the state changes only through apply(). */
  update(id: JobId, change: (job: Job) => JobFields): Job | null {
    const job = this.jobs.get(id);
    if (!job) return null;
    const fields = change(job);
    const next: Job = { ...job, ...fields, id: job.id, state: job.state };
    this.jobs.set(id, next);
    this.store.saveJob(next);
    this.emit('change', { job: next, previous: job.state.kind, before: job });
    return next;
  }

  /** `procd priority`: the one spec field that changes after creation (a queued job's place, a running job's nice). */
  setPriority(id: JobId, priority: number): Job | null {
    const job = this.jobs.get(id);
    if (!job) return null;
    const next: Job = { ...job, spec: { ...job.spec, priority } };
    this.jobs.set(id, next);
    this.store.saveJob(next);
    this.emit('change', { job: next, previous: job.state.kind, before: job });
    return next;
  }

  /**
   * Changes fast-moving figures (resource samples, output counters, the figures of a flag that
   * stays raised, probe counts) in memory only: journaling
   * every sample would cost a disk write per job per tick. They reach disk with the next durable
   * change of the job or the next snapshot.
   */
  updateVolatile(id: JobId, change: (job: Job) => Partial<Pick<Job, 'resources' | 'output' | 'flags' | 'probes' | 'standing' | 'progress' | 'ports'>>): Job | null {
    const job = this.jobs.get(id);
    if (!job) return null;
    const next: Job = { ...job, ...change(job), id: job.id, state: job.state };
    this.jobs.set(id, next);
    this.emit('sample', next);
    return next;
  }

  /**
   * Queues the job's current record, volatile figures included, for the journal without changing
   * it (nothing to announce): how figures kept in memory reach disk between durable changes.
   */
  journal(id: JobId): void {
    const job = this.jobs.get(id);
    if (job) this.store.saveJob(job);
  }

  /** Makes every change so far durable (one journal write + fsync shared by concurrent callers). */
  flush(): Promise<void> {
    return this.store.flush();
  }

  remove(id: JobId): Job | null {
    const job = this.jobs.get(id);
    if (!job) return null;
    this.jobs.delete(id);
    this.store.removeJob(id);
    this.emit('removed', job);
    return job;
  }

  get(id: JobId): Job | undefined {
    return this.jobs.get(id);
  }

  /** Finds a job by id, or by name: the live job with that name, else the most recent finished one. */
  resolve(ref: JobRef): Job {
    if (typeof ref === 'number' || /^\d+$/.test(ref)) {
      const job = this.jobs.get(Number(ref));
      if (job) return job;
    } else {
      const found = this.liveNamed(ref) ?? this.latestNamed(ref);
      if (found) return found;
    }
    throw new ProcdError(ErrorCode.JobNotFound, `no job ${typeof ref === 'number' ? `with id ${ref}` : `named or numbered ${ref}`}`, { job: ref });
  }

  /** The live job with this name (the newest, should records from older versions hold several). */
  liveNamed(name: string): Job | undefined {
    return this.latestNamed(name, (job) => isLive(job.state));
  }

  /** `base` when no live job has it, else the first free of `base-2`, `base-3`, … (default names never collide). */
  freeName(base: string): string {
    if (!this.liveNamed(base)) return base;
    for (let n = 2; ; n++) if (!this.liveNamed(`${base}-${n}`)) return `${base}-${n}`;
  }

  private latestNamed(name: string, accept: (job: Job) => boolean = () => true): Job | undefined {
    let found: Job | undefined;
    for (const job of this.jobs.values()) if (job.name === name && accept(job) && (!found || job.id > found.id)) found = job;
    return found;
  }

  all(): IterableIterator<Job> {
    return this.jobs.values();
  }

  get size(): number {
    return this.jobs.size;
  }

  get nextJobId(): number {
    return this.nextId;
  }

  list(filter: ListFilter): JobSummary[] {
    const { matches, hidden } = this.select(filter);
    const now = Date.now();
    return matches.filter((j) => !hidden.has(j)).map((j) => summarize(j, now));
  }

  /** How many jobs match a list filter, per state, and how many finished ones the default view leaves out. */
  count(filter: ListFilter): CountResult {
    const { matches, hidden } = this.select(filter);
    const states = emptyStateCounts();
    for (const j of matches) states[j.state.kind]++;
    return { total: matches.length, states, hiddenFinished: hidden.size };
  }

  /** The jobs a filter matches (oldest first) and, in the default view, the older finished ones it leaves out. */
  private select(filter: ListFilter): { matches: Job[]; hidden: Set<Job> } {
    const matches: Job[] = [];
    for (const job of this.jobs.values()) {
      if (filter.states && !filter.states.includes(job.state.kind)) continue;
      if (filter.name && job.name !== filter.name) continue;
      if (filter.tag && !job.tags.includes(filter.tag)) continue;
      if (filter.project && job.spec.declared?.project !== filter.project) continue;
      if (filter.owner && job.owner?.name !== filter.owner) continue;
      matches.push(job);
    }
    matches.sort((a, b) => a.id - b.id);
    if (filter.all || filter.states) return { matches, hidden: new Set() };
    // Default view: everything still alive plus the most recent finished ones.
    const keepFinished = filter.recentFinished ?? 10;
    const finished = matches.filter((j) => isTerminal(j.state));
    return { matches, hidden: new Set(finished.slice(0, Math.max(0, finished.length - keepFinished))) };
  }

  counts(): Record<JobState['kind'], number> {
    const counts: Record<JobState['kind'], number> = emptyStateCounts();
    for (const job of this.jobs.values()) counts[job.state.kind]++;
    return counts;
  }
}

/** The refusal of a second live job with a name. */
function nameInUse(name: string, holder: Job): ProcdError {
  return new ProcdError(
    ErrorCode.NameInUse,
    `the name ${name} is in use by job ${holder.id}, which is ${holder.state.kind}: stop it first (procd kill ${holder.id}), choose another name, or track with --replace to stop it and start the new one`,
    { name, id: holder.id, state: holder.state.kind },
  );
}
