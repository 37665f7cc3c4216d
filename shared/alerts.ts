// Alerts (issue 14): named rules over what happens to jobs — a flag raised, a failure rate over a
// threshold within a window, a limit exceeded, a job lost — each with a severity and a cooldown.
// An alert is published as an `alert` event and may run a notify command. Types only.

import type { EventJob } from './events.js';
import type { FlagKind } from './job.js';

export const ALERT_SEVERITIES = ['info', 'warning', 'critical'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

export const ALERT_CONDITIONS = ['flag', 'failure-rate', 'limit', 'lost'] as const;
export type AlertCondition = (typeof ALERT_CONDITIONS)[number];

interface RuleBase {
  name: string;
  severity: AlertSeverity;
  /** The same rule alerts at most once per this long (per job for job rules). */
  cooldownMs: number;
}

export type AlertRule =
  | (RuleBase & { when: 'flag'; /** Only these flags (absent: any). */ flags?: FlagKind[] })
  /** Of the runs that ended within `withinMs` (at least `minRuns`), more than `over` (0..1) failed. */
  | (RuleBase & { when: 'failure-rate'; over: number; withinMs: number; minRuns: number })
  | (RuleBase & { when: 'limit' })
  | (RuleBase & { when: 'lost' });

/** What an alert says (the `alert` event's `alert`, the notify command's stdin). */
export interface AlertInfo {
  rule: string;
  severity: AlertSeverity;
  /** One line for people. */
  summary: string;
  /** The figures behind it, for programs. */
  data: Record<string, number | string | null>;
  /** The job that caused it (for a failure rate: the one whose end tipped it over). */
  job: EventJob;
}
