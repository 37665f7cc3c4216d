// Server-pushed events as schemas: the types in shared/events.ts are inferred from these, and
// docs/protocol.md shows each one with its doc line.

import * as v from 'valibot';
import { ALERT_SEVERITIES } from '../alerts.js';
import type { EventKind } from '../events.js';
import { EtaSchema, JobProgressSchema } from './progress.js';
import { ClearedFlagSchema, JobFlagSchema, ListeningPortSchema, JobStateKindSchema, JobStateSchema, KillRecordSchema, LimitViolationSchema, ResourceSampleSchema } from './job.js';

/** Who an event is about: enough to filter and display without another call. */
export const EventJobSchema = v.object({ id: v.number(), name: v.string(), tags: v.array(v.string()), state: JobStateKindSchema });

const head = <K extends EventKind>(kind: K) => ({ seq: v.number(), at: v.number(), kind: v.literal(kind) });

/** One schema per event kind (the keys are exactly EVENT_KINDS). */
export const EVENT_SCHEMAS = {
  'job.started': v.object({ ...head('job.started'), job: EventJobSchema, pid: v.number() }),
  'job.stopping': v.object({ ...head('job.stopping'), job: EventJobSchema, kill: KillRecordSchema }),
  'job.state': v.object({ ...head('job.state'), job: EventJobSchema, from: v.nullable(JobStateKindSchema), to: JobStateKindSchema, state: JobStateSchema }),
  'job.ready': v.object({ ...head('job.ready'), job: EventJobSchema, run: v.number(), tookMs: v.number(), detail: v.string() }),
  'job.progress': v.object({ ...head('job.progress'), job: EventJobSchema, progress: JobProgressSchema, eta: v.nullable(EtaSchema) }),
  'job.listening': v.object({ ...head('job.listening'), job: EventJobSchema, ports: v.array(ListeningPortSchema) }),
  'job.removed': v.object({ ...head('job.removed'), job: EventJobSchema }),
  'flag.raised': v.object({ ...head('flag.raised'), job: EventJobSchema, flag: JobFlagSchema }),
  'flag.changed': v.object({ ...head('flag.changed'), job: EventJobSchema, flag: JobFlagSchema, from: v.picklist(['medium', 'high']) }),
  'flag.cleared': v.object({ ...head('flag.cleared'), job: EventJobSchema, flag: ClearedFlagSchema }),
  'leftover.found': v.object({ ...head('leftover.found'), job: EventJobSchema, pids: v.array(v.number()) }),
  'limit.exceeded': v.object({ ...head('limit.exceeded'), job: EventJobSchema, violation: LimitViolationSchema }),
  alert: v.object({
    ...head('alert'),
    /** The job that caused it (for a failure rate: the one whose end tipped it over). */
    job: EventJobSchema,
    alert: v.object({ rule: v.string(), severity: v.picklist(ALERT_SEVERITIES), summary: v.string(), data: v.record(v.string(), v.nullable(v.union([v.number(), v.string()]))) }),
  }),
  sample: v.object({ ...head('sample'), job: EventJobSchema, sample: ResourceSampleSchema }),
  'daemon.shutdown': v.object({ ...head('daemon.shutdown'), keepJobs: v.boolean() }),
  'subscription.dropped': v.object({ ...head('subscription.dropped'), reason: v.string(), pendingBytes: v.number() }),
  'subscription.gap': v.object({ ...head('subscription.gap'), from: v.number(), to: v.number(), reason: v.picklist(['evicted', 'lost', 'reset']) }),
} satisfies { [K in EventKind]: v.GenericSchema };

export type EventSchemas = typeof EVENT_SCHEMAS;

/** Any event; `kind` picks the schema. */
export const ProcdEventSchema = v.variant('kind', Object.values(EVENT_SCHEMAS) as [EventSchemas[EventKind], ...EventSchemas[EventKind][]]);
