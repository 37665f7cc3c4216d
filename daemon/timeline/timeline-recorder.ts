// Feeds each job's timeline: its lifecycle events from the event bus and the client calls that
// acted on it from the audit hook (which knows who asked). Only jobs still in the table get
// entries, so a late event never re-creates a removed job's directory.

import type { AuditRecord } from '../../shared/audit.js';
import type { ProcdEvent } from '../../shared/events.js';
import type { EventBus } from '../events/event-bus.js';
import type { JobTable } from '../jobs/job-table.js';
import type { Logger } from '../logger.js';
import { entriesOfCall, entryOfEvent } from './timeline-entries.js';
import type { TimelineStore } from './timeline-store.js';

export class TimelineRecorder {
  constructor(
    private readonly store: TimelineStore,
    private readonly table: JobTable,
    events: EventBus,
    private readonly logger: Logger,
  ) {
    events.watch((event) => this.onEvent(event));
    table.on('removed', (job) => store.forget(job.id));
    // A new job's file is created in the background while its record is saved and its shim starts.
    table.on('change', ({ job, previous }) => {
      if (previous === null) store.prepare(job.id);
    });
  }

  /** A client's call ended (the audit hook). */
  onCall(record: AuditRecord): void {
    for (const { job, entry } of entriesOfCall(record, (id) => this.runOf(id))) this.store.append(job, entry);
  }

  private onEvent(event: ProcdEvent): void {
    try {
      const run = 'job' in event ? this.runOf(event.job.id) : null;
      if (run === null) return;
      const made = entryOfEvent(event, run);
      if (made) this.store.append(made.job, made.entry);
    } catch (err) {
      // A timeline is a record of what happened, never a reason for the event to go unpublished.
      this.logger.warn({ err, kind: event.kind }, 'could not add to a job timeline');
    }
  }

  private runOf(id: number): number | null {
    const job = this.table.get(id);
    return job ? (job.runs?.current ?? 1) : null;
  }
}
