// Alert rules decided without side effects: given an event and the time, which rules fire. The
// engine remembers only what the rules need — the recent ends (for failure rates) and when each
// rule last fired per job (the cooldown) — and the clock is the caller's, so tests drive it.

import type { AlertInfo, AlertRule } from '../../shared/alerts.js';
import { formatDuration } from '../../shared/duration.js';
import type { EventJob, ProcdEvent } from '../../shared/events.js';
import { isTerminal, type JobState } from '../../shared/job.js';
import type { OutcomeKind, TerminalStateKind } from '../../shared/outcomes.js';
import { violationText } from '../timeline/timeline-entries.js';

/** A run's end as the failure-rate rules count it. */
export interface RunEnd {
  at: number;
  failed: boolean;
}

/**
 * Whether an ended run counts as a failure, as analyze and trends count it (daemon/analysis/input.ts):
 * failed or timed out. A kill or a release is someone's choice and a lost run's end is unknown (the
 * `lost` rule reports those): `null`, not counted.
 */
export function failureOfRun(kind: TerminalStateKind): boolean | null {
  if (kind === 'completed') return false;
  if (kind === 'failed' || kind === 'timed_out') return true;
  return null;
}

/** The same for a state: null while it has not ended. */
export function failureOf(state: JobState): boolean | null {
  return isTerminal(state) ? failureOfRun(state.kind) : null;
}

/**
 * A run's end that an event says, as failure or not (null: no run ended, or not counted). A run
 * its restart policy follows with another goes straight to `queued` (a restart): the caller, who
 * can read the job's records, says how that run ended (`restartedRun`).
 */
export function runEndOf(event: ProcdEvent, restartedRun?: { state: TerminalStateKind; outcome: OutcomeKind }): boolean | null {
  if (event.kind !== 'job.state') return null;
  // From a live run only: an ended job run again was counted when it ended.
  const fromRun = event.from === 'starting' || event.from === 'running' || event.from === 'paused';
  if (event.state.kind === 'queued' && event.state.reason.kind === 'restart') return fromRun && restartedRun ? failureOfRun(restartedRun.state) : null;
  return failureOf(event.state);
}

/** The share of failures among the ends within `withinMs` of `now`, with how many there were. */
export function failureRate(ends: readonly RunEnd[], now: number, withinMs: number): { runs: number; failures: number; rate: number } {
  const recent = ends.filter((e) => e.at > now - withinMs && e.at <= now);
  const failures = recent.filter((e) => e.failed).length;
  return { runs: recent.length, failures, rate: recent.length ? failures / recent.length : 0 };
}

/** May a rule that last fired at `last` fire again at `now`? */
export function cooledDown(last: number | undefined, now: number, cooldownMs: number): boolean {
  return last === undefined || now - last >= cooldownMs;
}

/** What a rule says about one event, before its cooldown: the alert, keyed by what the cooldown counts per (a job's name, or the whole daemon). */
export function ruleMatch(rule: AlertRule, event: ProcdEvent, ends: readonly RunEnd[], now: number, failedNow = false): { key: string; info: AlertInfo } | null {
  const base = { rule: rule.name, severity: rule.severity };
  const forJob = (job: EventJob, summary: string, data: AlertInfo['data']) => ({ key: `job:${job.name}`, info: { ...base, summary: `${job.name} (job ${job.id}): ${summary}`, data, job } });
  switch (rule.when) {
    case 'flag':
      if (event.kind !== 'flag.raised' || (rule.flags && !rule.flags.includes(event.flag.kind))) return null;
      return forJob(event.job, `flagged ${event.flag.kind} (${event.flag.severity}): ${event.flag.detail}`, { flag: event.flag.kind, flagSeverity: event.flag.severity });
    case 'limit':
      if (event.kind !== 'limit.exceeded') return null;
      return forJob(event.job, violationText(event.violation), {
        limit: event.violation.limit,
        value: event.violation.value,
        max: event.violation.max,
        action: event.violation.action,
      });
    case 'lost':
      if (event.kind !== 'job.state' || event.state.kind !== 'lost' || event.state.outcome === 'released') return null;
      return forJob(event.job, `lost: ${event.state.reason}`, { outcome: event.state.outcome });
    case 'failure-rate': {
      if (event.kind !== 'job.state' || !failedNow) return null;
      const r = failureRate(ends, now, rule.withinMs);
      if (r.runs < rule.minRuns || r.rate <= rule.over) return null;
      const pct = Math.round(r.rate * 100);
      const summary = `${r.failures} of ${r.runs} runs failed in the last ${formatDuration(rule.withinMs)} (${pct}%, over ${Math.round(rule.over * 100)}%); the last: ${event.job.name} (job ${event.job.id})`;
      // One cooldown for the whole daemon: the rate is everyone's.
      return { key: 'daemon', info: { ...base, summary, data: { runs: r.runs, failures: r.failures, rate: r.rate, withinMs: rule.withinMs }, job: event.job } };
    }
  }
}

/** Cooldowns remembered (one per rule and job name) before the cooled ones are forgotten. */
const MAX_COOLDOWN_KEYS = 10_000;

export class AlertEngine {
  private ends: RunEnd[] = [];
  private readonly lastFired = new Map<string, number>();
  private readonly keepEndsMs: number;

  constructor(private readonly rules: readonly AlertRule[]) {
    this.keepEndsMs = Math.max(0, ...rules.map((r) => (r.when === 'failure-rate' ? r.withinMs : 0)));
  }

  private forgetCooled(now: number): void {
    const longest = Math.max(0, ...this.rules.map((r) => r.cooldownMs));
    for (const [key, at] of this.lastFired) if (now - at >= longest) this.lastFired.delete(key);
  }

  /** The alerts `event` raises at `now`: each rule that matches and has cooled down for its key. `restartedRun`: see runEndOf. */
  observe(event: ProcdEvent, now: number, restartedRun?: { state: TerminalStateKind; outcome: OutcomeKind }): AlertInfo[] {
    const failed = runEndOf(event, restartedRun);
    if (failed !== null && this.keepEndsMs > 0) this.ends.push({ at: now, failed });
    if (event.kind === 'job.state') this.ends = this.ends.filter((e) => e.at > now - this.keepEndsMs);
    const fired: AlertInfo[] = [];
    for (const rule of this.rules) {
      const match = ruleMatch(rule, event, this.ends, now, failed === true);
      if (!match) continue;
      const key = `${rule.name}\u0000${match.key}`;
      if (!cooledDown(this.lastFired.get(key), now, rule.cooldownMs)) continue;
      this.lastFired.set(key, now);
      fired.push(match.info);
    }
    if (this.lastFired.size > MAX_COOLDOWN_KEYS) this.forgetCooled(now);
    return fired;
  }
}
