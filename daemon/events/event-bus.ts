// Lifecycle events for subscribers: fed by the job table (state changes) and the monitor
// (flags, leftovers, samples), numbered in publication order (numbers and kept events survive
// restarts: event-log.ts), filtered per subscriber, replayed from `afterSeq` to a resuming one.
// A subscriber that stops reading is dropped once its unread backlog passes a bound — with a
// final notification saying why — so one stuck client can never grow the daemon's memory.

import { EVENT_METHOD, isReplayedKind, type EventJob, type EventKind, type NewEvent, type ProcdEvent } from '../../shared/events.js';
import { hasLiveProcess, type Job } from '../../shared/job.js';
import type { ParamsOf } from '../../shared/methods.js';
import type { JobTable } from '../jobs/job-table.js';
import type { Logger } from '../logger.js';
import type { Monitor } from '../monitor/monitor.js';
import type { ProbeRunner } from '../probes/probe-runner.js';
import type { ProgressTracker } from '../progress/tracker.js';
import { etaOf } from '../../shared/eta.js';
import type { CallContext } from '../server/dispatch.js';
import type { EventLog } from './event-log.js';
import { planReplay } from './replay.js';

/** Unread bytes a subscriber may have queued before it is dropped. */
export const SUBSCRIBER_BACKLOG_BYTES = 1 << 20;

/** A subscription's filter, with job names already resolved to ids. */
export type Filter = Omit<ParamsOf<'subscribe'>, 'jobs' | 'afterSeq'> & { jobs?: number[] };

interface Subscriber {
  conn: CallContext;
  filter: Filter;
  /** What a replay queued at once: a resuming subscriber is not dropped for reading it. */
  slackBytes: number;
}

export class EventBus {
  private readonly subscribers = new Map<number, Subscriber>();
  droppedSubscribers = 0;
  /** Kept events that could not be written (disk full): logged, counted, still sent live. */
  unsavedEvents = 0;
  /** Told of every lifecycle event as it is published (the job timelines). */
  private readonly watchers: ((event: ProcdEvent) => void)[] = [];

  constructor(
    table: JobTable,
    monitor: Monitor,
    private readonly logger: Logger,
    private readonly log: EventLog,
  ) {
    table.on('change', ({ job, previous, before }) => {
      if (hasLiveProcess(job.state) && job.pendingKill && !before?.pendingKill) this.publish({ kind: 'job.stopping', job: eventJob(job), kill: job.pendingKill });
      if (previous === job.state.kind) return;
      // Started once per run: from starting (a resume from paused is not a start).
      if (job.state.kind === 'running' && previous === 'starting') this.publish({ kind: 'job.started', job: eventJob(job), pid: job.state.pid });
      this.publish({ kind: 'job.state', job: eventJob(job), from: previous, to: job.state.kind, state: job.state });
    });
    // Without it a dashboard or `procd top` kept showing a job another client removed (rm, prune, cleanup).
    table.on('removed', (job) => this.publish({ kind: 'job.removed', job: eventJob(job) }));
    monitor.on('flags', ({ job, raised, cleared, changed }) => {
      for (const flag of raised) this.publish({ kind: 'flag.raised', job: eventJob(job), flag });
      for (const { flag, from } of changed) this.publish({ kind: 'flag.changed', job: eventJob(job), flag, from });
      for (const flag of cleared) this.publish({ kind: 'flag.cleared', job: eventJob(job), flag });
    });
    monitor.on('leftovers', ({ job, pids }) => this.publish({ kind: 'leftover.found', job: eventJob(job), pids }));
    monitor.on('listening', ({ job, ports }) => this.publish({ kind: 'job.listening', job: eventJob(job), ports }));
    monitor.on('limit', ({ job, violation }) => this.publish({ kind: 'limit.exceeded', job: eventJob(job), violation }));
    monitor.on('sample', ({ job, sample }) => {
      // Samples are opt-in and frequent: skip the numbering and work when nobody asked for them.
      if ([...this.subscribers.values()].some((s) => s.filter.samples)) this.publish({ kind: 'sample', job: eventJob(job), sample });
    });
  }

  /** `job.ready` from the probe runner. */
  watchProbes(probes: ProbeRunner): void {
    probes.on('ready', (job) => {
      const detail = job.probes?.readiness?.last?.detail ?? '';
      this.publish({ kind: 'job.ready', job: eventJob(job), run: job.runs?.current ?? 1, tookMs: job.probes?.ready?.tookMs ?? 0, detail });
    });
  }

  /** `job.progress` at each milestone of a job's progress. */
  watchProgress(progress: ProgressTracker): void {
    progress.on('milestone', (job) => {
      if (job.progress) this.publish({ kind: 'job.progress', job: eventJob(job), progress: job.progress, eta: etaOf(job, Date.now(), progress.baselineOf(job)) });
    });
  }

  get lastSeq(): number {
    return this.log.lastSeq;
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  /** Registers the connection; with afterSeq, first sends what it missed (synchronously, so nothing live slips in between). */
  subscribe(conn: CallContext, filter: Filter, afterSeq?: number): number {
    let slackBytes = 0;
    if (afterSeq !== undefined) {
      for (const item of planReplay(afterSeq, this.log.state(), this.log.entries())) {
        if ('gap' in item) {
          const { from, to, reason } = item.gap;
          conn.notify(EVENT_METHOD, { seq: item.seq, at: Date.now(), kind: 'subscription.gap', from, to, reason } satisfies ProcdEvent);
          continue;
        }
        const event = parseKept(item.event.line);
        if (event && matches(filter, event)) conn.notify(EVENT_METHOD, event);
      }
      slackBytes = conn.pendingBytes();
    }
    const isNew = !this.subscribers.has(conn.connectionId);
    this.subscribers.set(conn.connectionId, { conn, filter, slackBytes });
    if (isNew) void conn.closed.then(() => this.subscribers.delete(conn.connectionId));
    return this.log.lastSeq;
  }

  /** Calls `watcher` with each lifecycle event (not samples or per-subscriber notices) as it is published. */
  watch(watcher: (event: ProcdEvent) => void): void {
    this.watchers.push(watcher);
  }

  publish(event: NewEvent): void {
    const full = { seq: this.log.nextSeq(), at: Date.now(), ...event } as ProcdEvent;
    const replayed = isReplayedKind(full.kind);
    if (replayed) this.keep(full);
    for (const [id, sub] of this.subscribers) {
      if (!matches(sub.filter, full)) continue;
      if (sub.conn.pendingBytes() > SUBSCRIBER_BACKLOG_BYTES + sub.slackBytes) {
        this.drop(id, sub, 'the subscriber did not read its events fast enough');
        continue;
      }
      if (sub.slackBytes && sub.conn.pendingBytes() === 0) sub.slackBytes = 0;
      sub.conn.notify(EVENT_METHOD, full);
    }
    // After the subscribers: an event a watcher publishes (an alert) comes after this one, in seq order.
    if (replayed) for (const watcher of this.watchers) watcher(full);
  }

  /** Flushes the replay buffer and records the last number used (at a clean stop). */
  close(): void {
    this.log.close();
  }

  /** Written before anyone is sent it, so whoever saw it can have it replayed after a restart. */
  private keep(event: ProcdEvent): void {
    try {
      this.log.append(event.seq, JSON.stringify(event));
    } catch (err) {
      if (this.unsavedEvents++ === 0) this.logger.error({ err, seq: event.seq }, 'could not keep an event in the replay buffer (later failures are only counted)');
    }
  }

  private drop(id: number, sub: Subscriber, reason: string): void {
    this.subscribers.delete(id);
    this.droppedSubscribers++;
    const pendingBytes = sub.conn.pendingBytes();
    this.logger.warn({ connection: id, pendingBytes }, 'dropping a slow event subscriber');
    sub.conn.notify(EVENT_METHOD, { kind: 'subscription.dropped', seq: this.log.lastSeq, at: Date.now(), reason, pendingBytes } satisfies ProcdEvent);
    sub.conn.endGracefully();
  }
}

/** A kept line cut short by a failed write (a full disk) is skipped. */
function parseKept(line: string): ProcdEvent | null {
  try {
    return JSON.parse(line) as ProcdEvent;
  } catch {
    return null;
  }
}

function eventJob(job: Job): EventJob {
  return { id: job.id, name: job.name, tags: job.tags, state: job.state.kind };
}

function matches(filter: Filter, event: ProcdEvent): boolean {
  if (event.kind === 'sample' && !filter.samples) return false;
  if (filter.kinds && !filter.kinds.includes(event.kind as EventKind)) return false;
  if (!('job' in event)) return true; // daemon-wide events reach every subscriber
  const job = event.job;
  if (filter.jobs && !filter.jobs.includes(job.id)) return false;
  if (filter.names && !filter.names.includes(job.name)) return false;
  if (filter.tags && !filter.tags.some((t) => job.tags.includes(t))) return false;
  return true;
}
