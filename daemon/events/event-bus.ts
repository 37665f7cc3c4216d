// Lifecycle events for subscribers: fed by the job table (state changes) and the monitor
// (flags, leftovers, samples), numbered in publication order, filtered per subscriber. A
// subscriber that stops reading is dropped once its unread backlog passes a bound — with a
// final notification saying why — so one stuck client can never grow the daemon's memory.

import { EVENT_METHOD, type EventJob, type EventKind, type NewEvent, type ProcdEvent } from '../../shared/events.js';
import { hasLiveProcess, type Job } from '../../shared/job.js';
import type { ParamsOf } from '../../shared/methods.js';
import type { JobTable } from '../jobs/job-table.js';
import type { Logger } from '../logger.js';
import type { Monitor } from '../monitor/monitor.js';
import type { CallContext } from '../server/dispatch.js';

/** Unread bytes a subscriber may have queued before it is dropped. */
export const SUBSCRIBER_BACKLOG_BYTES = 1 << 20;

type Filter = ParamsOf<'subscribe'>;

interface Subscriber {
  conn: CallContext;
  filter: Filter;
}

export class EventBus {
  private seq = 0;
  private readonly subscribers = new Map<number, Subscriber>();
  droppedSubscribers = 0;

  constructor(
    table: JobTable,
    monitor: Monitor,
    private readonly logger: Logger,
  ) {
    table.on('change', ({ job, previous, before }) => {
      if (hasLiveProcess(job.state) && job.pendingKill && !before?.pendingKill) this.publish({ kind: 'job.stopping', job: eventJob(job), kill: job.pendingKill });
      if (previous === job.state.kind) return;
      // Started once per run: from starting (a resume from paused is not a start).
      if (job.state.kind === 'running' && previous === 'starting') this.publish({ kind: 'job.started', job: eventJob(job), pid: job.state.pid });
      this.publish({ kind: 'job.state', job: eventJob(job), from: previous, to: job.state.kind, state: job.state });
    });
    monitor.on('flags', ({ job, raised, cleared, changed }) => {
      for (const flag of raised) this.publish({ kind: 'flag.raised', job: eventJob(job), flag });
      for (const { flag, from } of changed) this.publish({ kind: 'flag.changed', job: eventJob(job), flag, from });
      for (const flag of cleared) this.publish({ kind: 'flag.cleared', job: eventJob(job), flag });
    });
    monitor.on('leftovers', ({ job, pids }) => this.publish({ kind: 'leftover.found', job: eventJob(job), pids }));
    monitor.on('sample', ({ job, sample }) => {
      // Samples are opt-in and frequent: skip the numbering and work when nobody asked for them.
      if ([...this.subscribers.values()].some((s) => s.filter.samples)) this.publish({ kind: 'sample', job: eventJob(job), sample });
    });
  }

  get lastSeq(): number {
    return this.seq;
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  subscribe(conn: CallContext, filter: Filter): number {
    this.subscribers.set(conn.connectionId, { conn, filter });
    void conn.closed.then(() => this.subscribers.delete(conn.connectionId));
    return this.seq;
  }

  publish(event: NewEvent): void {
    const full = { ...event, seq: ++this.seq, at: Date.now() } as ProcdEvent;
    for (const [id, sub] of this.subscribers) {
      if (!matches(sub.filter, full)) continue;
      if (sub.conn.pendingBytes() > SUBSCRIBER_BACKLOG_BYTES) {
        this.drop(id, sub, 'the subscriber did not read its events fast enough');
        continue;
      }
      sub.conn.notify(EVENT_METHOD, full);
    }
  }

  private drop(id: number, sub: Subscriber, reason: string): void {
    this.subscribers.delete(id);
    this.droppedSubscribers++;
    const pendingBytes = sub.conn.pendingBytes();
    this.logger.warn({ connection: id, pendingBytes }, 'dropping a slow event subscriber');
    sub.conn.notify(EVENT_METHOD, { kind: 'subscription.dropped', seq: this.seq, at: Date.now(), reason, pendingBytes } satisfies ProcdEvent);
    sub.conn.endGracefully();
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
