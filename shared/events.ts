// Server-pushed events on a subscribed connection (JSON-RPC notifications with method "event").
// Every event carries a sequence number that increases by one per event the daemon publishes,
// so a subscriber can tell it missed some (its filter skips some numbers on purpose; a gap in
// an unfiltered stream means loss).

import type { ClearedFlag, JobFlag, JobId, JobState, KillRecord, ResourceSample } from './job.js';

export const EVENT_METHOD = 'event';

export const EVENT_KINDS = [
  'job.started',
  'job.stopping',
  'job.state',
  'flag.raised',
  'flag.changed',
  'flag.cleared',
  'leftover.found',
  'sample',
  'daemon.shutdown',
  'subscription.dropped',
] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** Who an event is about: enough to filter and display without another call. */
export interface EventJob {
  id: JobId;
  name: string;
  tags: string[];
  state: JobState['kind'];
}

interface Base<K extends EventKind> {
  seq: number;
  at: number;
  kind: K;
}

export type ProcdEvent =
  | (Base<'job.started'> & { job: EventJob; pid: number })
  /** A stop began (procd kill, --timeout, daemon stop): the job still runs until its processes are gone. */
  | (Base<'job.stopping'> & { job: EventJob; kill: KillRecord })
  | (Base<'job.state'> & { job: EventJob; from: JobState['kind'] | null; to: JobState['kind']; state: JobState })
  | (Base<'flag.raised'> & { job: EventJob; flag: JobFlag })
  /** A raised flag's severity changed (a time sink turning high at 3×). */
  | (Base<'flag.changed'> & { job: EventJob; flag: JobFlag; from: JobFlag['severity'] })
  | (Base<'flag.cleared'> & { job: EventJob; flag: ClearedFlag })
  | (Base<'leftover.found'> & { job: EventJob; pids: number[] })
  | (Base<'sample'> & { job: EventJob; sample: ResourceSample })
  | (Base<'daemon.shutdown'> & { keepJobs: boolean })
  /** The last event a dropped subscriber gets: why, and how many events it had not read. */
  | (Base<'subscription.dropped'> & { reason: string; pendingBytes: number });

type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;
export type NewEvent = DistributiveOmit<ProcdEvent, 'seq' | 'at'>;
