// Alerts in the running daemon: each lifecycle event goes through the rules (alert-engine.ts);
// what fires is published as an `alert` event and handed to the notify command, if one is set.

import type { EventBus } from '../events/event-bus.js';
import type { JobTable } from '../jobs/job-table.js';
import type { Logger } from '../logger.js';
import { AlertEngine } from './alert-engine.js';
import type { AlertSettings } from './alert-settings.js';
import { Notifier } from './notifier.js';

export function startAlerts(settings: AlertSettings, events: EventBus, table: JobTable, logger: Logger, now: () => number = Date.now): void {
  const engine = new AlertEngine(settings.rules);
  const notifier = settings.onAlert ? new Notifier(settings.onAlert, settings.notifyTimeoutMs, logger) : null;
  events.watch((event) => {
    if (event.kind === 'alert') return;
    try {
      // A run followed by a restart ends in the job's records, not in a terminal state: its last earlier run.
      const restarted = event.kind === 'job.state' && event.to === 'queued' ? table.get(event.job.id)?.runs?.earlier.at(-1) : undefined;
      for (const alert of engine.observe(event, now(), restarted)) {
        logger.info({ rule: alert.rule, severity: alert.severity, summary: alert.summary }, 'alert');
        const { job, ...rest } = alert;
        events.publish({ kind: 'alert', job, alert: rest });
        notifier?.notify(alert);
      }
    } catch (err) {
      logger.warn({ err, kind: event.kind }, 'alert rules failed on an event');
    }
  });
}
