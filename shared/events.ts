// Server-pushed events on a subscribed connection (JSON-RPC notifications with method "event").
// Every event carries a sequence number that increases by one per event the daemon publishes and
// keeps increasing across daemon restarts (a crash may skip numbers, never reuse one). The
// lifecycle events (every kind but `sample` and the per-subscriber `subscription.*`) are kept in
// a durable replay buffer, so a subscriber can resume with `afterSeq`; what it asks for and the
// daemon no longer has is announced by one `subscription.gap` event. The shapes are the schemas
// in schemas/events.ts; this module holds only names and types, so the CLI can import it without
// loading a schema library.

import type { InferOutput } from 'valibot';
import type { EventSchemas } from './schemas/events.js';

export const EVENT_METHOD = 'event';

export const EVENT_KINDS = [
  'job.started',
  'job.stopping',
  'job.state',
  'job.ready',
  'job.progress',
  'job.listening',
  'job.removed',
  'flag.raised',
  'flag.changed',
  'flag.cleared',
  'leftover.found',
  'limit.exceeded',
  'alert',
  'sample',
  'daemon.shutdown',
  'subscription.dropped',
  'subscription.gap',
] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** One doc line per event kind (docs/protocol.md). */
export const EVENT_DOCS: { readonly [K in EventKind]: string } = {
  'job.started': 'The job is running: its main process has started.',
  'job.stopping': 'A stop began (procd kill, --timeout, daemon stop): the job still runs until its processes are gone.',
  'job.state': 'The job changed state; `state` is the new one in full.',
  'job.ready': "The job's readiness probe passed (`successThreshold` times in a row): it is ready, `tookMs` after its run started. Once per run.",
  'job.progress': "A progress milestone of a running job (`procd progress` or a marker line): its first report in a run, each tenth of the way (10%, 20%, …) and each new phase — at most one per report or per scan of its output, not every report. `progress` is the job's progress then, `eta` its estimate.",
  'job.listening': "The job's tree started listening on new sockets (TCP in LISTEN, or bound UDP): `ports` are the new ones, the job's `ports` field has them all. Seen by the monitor at its next tick.",
  'job.removed': "The job's record is gone (`rm`, `prune`, `cleanup`; or a `track` whose record could not be written): drop it from what you show. `job` is how it was last.",
  'flag.raised': 'A condition (stuck, time sink, bottleneck, zombie, leftovers) was raised.',
  'flag.changed': "A raised flag's severity changed (a time sink turning high at 3×).",
  'flag.cleared': 'A condition is over; the flag moves to the job\'s flag history.',
  'leftover.found': 'Processes of an ended job are still alive.',
  'limit.exceeded': "A job went over one of its limits (`--max-memory`, `--max-cpu`, `--max-fds`, `--max-procs`); `violation` is also kept in the job's `violations`. With `action: kill` the job is being stopped (it ends failed, outcome `limit`).",
  alert: "An alert rule fired (a flag raised, a failure rate over its threshold, a limit exceeded, a job lost): `alert` has the rule's name, severity, a summary and the figures; `job` is the job that caused it (for a failure rate, the one whose end tipped it over). At most once per the rule's cooldown (per job); the daemon's notify command, if set, runs with it.",
  sample: "A monitor reading of a job's process tree (only for subscribers that asked for `samples`).",
  'daemon.shutdown': 'The daemon is stopping (`keepJobs`: its jobs keep running for the next daemon).',
  'subscription.dropped': 'The last event a dropped subscriber gets: why, and how many bytes it had not read.',
  'subscription.gap':
    'Sent to a subscriber resuming with `afterSeq` when events `from`..`to` are no longer available (`evicted` from the replay buffer, `lost` in a machine crash, or `reset`: afterSeq is beyond anything this home published); reload with `list`. Its `seq` is `to`, so resuming from the last seq seen continues after it.',
};

/** Kinds kept in the daemon's replay buffer: lifecycle events, not per-tick samples or per-subscriber notices. */
export function isReplayedKind(kind: EventKind): boolean {
  return kind !== 'sample' && kind !== 'subscription.dropped' && kind !== 'subscription.gap';
}

export type ProcdEvent = { [K in EventKind]: InferOutput<EventSchemas[K]> }[EventKind];
/** The event of one kind, e.g. `EventOf<'job.state'>`. */
export type EventOf<K extends EventKind> = Extract<ProcdEvent, { kind: K }>;
/** Who an event is about: enough to filter and display without another call. */
export type EventJob = Extract<ProcdEvent, { kind: 'job.state' }>['job'];

type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;
export type NewEvent = DistributiveOmit<ProcdEvent, 'seq' | 'at'>;
