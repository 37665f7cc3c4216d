// What goes on a job's timeline, decided without side effects: one entry per lifecycle event of
// the job (from the event bus) and one per client call that acted on it (from the audit record,
// which knows who asked). A new event kind joins the timeline with one line in FROM_EVENT.

import { clientLabel, type AuditRecord } from '../../shared/audit.js';
import { formatBytes, formatDuration } from '../../shared/duration.js';
import type { EventKind, EventOf, ProcdEvent } from '../../shared/events.js';
import { isTerminal, type JobState } from '../../shared/job.js';
import type { LimitViolation } from '../../shared/limits.js';
import { portsDetail, portText } from '../../shared/ports.js';
import type { TimelineEntry } from '../../shared/timeline.js';

/** An entry without its time and run, which come from the event and the job. */
type Draft = Omit<TimelineEntry, 'at' | 'run'>;
type FromEvent = { [K in EventKind]?: (event: EventOf<K>) => Draft | null };

/** Who stops a job when no client asked. */
const PROCD = 'procd';

const FROM_EVENT: FromEvent = {
  'job.started': (e) => ({ kind: 'started', detail: `started, pid ${e.pid}` }),
  'job.ready': (e) => ({ kind: 'ready', detail: `ready after ${formatDuration(e.tookMs)}${e.detail ? `: ${e.detail}` : ''}` }),
  'job.progress': (e) => ({ kind: 'progress', detail: `progress ${Math.round(e.progress.percent)}%${e.progress.phase ? ` (${e.progress.phase})` : ''}` }),
  'flag.raised': (e) => ({ kind: 'flag.raised', detail: `flag ${e.flag.kind} raised (${e.flag.severity}): ${e.flag.detail}` }),
  'flag.changed': (e) => ({ kind: 'flag.changed', detail: `flag ${e.flag.kind} now ${e.flag.severity} (was ${e.from}): ${e.flag.detail}` }),
  'flag.cleared': (e) => ({ kind: 'flag.cleared', detail: `flag ${e.flag.kind} cleared after ${formatDuration(e.flag.clearedAt - e.flag.raisedAt)}` }),
  'limit.exceeded': (e) => ({ kind: 'limit', detail: violationText(e.violation), by: PROCD }),
  'job.stopping': (e) => {
    const { kill } = e;
    const cause = kill.reason === 'user' ? 'stop asked for' : `stopped by procd: ${kill.reason === 'limit' && kill.limit ? `${kill.limit} limit` : kill.reason}`;
    return { kind: 'stopping', detail: `${cause}: ${kill.signal}, then SIGKILL after ${formatDuration(kill.graceMs)}`, ...(kill.reason === 'user' ? {} : { by: PROCD }) };
  },
  'job.state': (e) => stateDraft(e.from, e.state),
  'job.listening': (e) => ({ kind: 'listening', detail: `listening: ${portsDetail(e.ports)}` }),
  'leftover.found': (e) => ({ kind: 'leftovers', detail: `processes left behind after its end: ${e.pids.join(', ')}` }),
  alert: (e) => ({ kind: 'alert', detail: `alert ${e.alert.rule} (${e.alert.severity}): ${e.alert.summary}`, by: PROCD }),
};

/** The timeline entry an event makes for its job, or null when it makes none. */
export function entryOfEvent(event: ProcdEvent, run: number): { job: number; entry: TimelineEntry } | null {
  if (!('job' in event)) return null;
  const map = FROM_EVENT[event.kind] as ((e: ProcdEvent) => Draft | null) | undefined;
  const draft = map?.(event);
  return draft ? { job: event.job.id, entry: { at: event.at, run, ...draft } } : null;
}

function stateDraft(from: JobState['kind'] | null, state: JobState): Draft | null {
  if (state.kind === 'paused') return { kind: 'paused', detail: `paused (${state.pausedBy === 'freezer' ? 'cgroup frozen' : 'SIGSTOP'})` };
  if (state.kind === 'running' && from === 'paused') return { kind: 'resumed', detail: 'resumed' };
  if (state.kind === 'queued' && state.reason.kind === 'restart') return { kind: 'restart', detail: `run ${state.reason.run} scheduled in ${formatDuration(state.reason.delayMs)}: ${state.reason.detail}` };
  if (state.kind === 'queued' && from === null) return { kind: 'request', detail: `queued: ${state.reason.detail}` };
  return isTerminal(state) ? { kind: 'ended', detail: endText(state) } : null;
}

/** `killed by SIGTERM after 3.4s (outcome signal)`. */
export function endText(end: { kind: string; signal: { name: string } | null; exitCode: number | null; durationMs: number; outcome: string; outcomeDetail: string | null }): string {
  const how = end.signal ? `by ${end.signal.name}` : end.exitCode !== null ? `with exit code ${end.exitCode}` : 'with an unknown exit code';
  return `${end.kind} ${how} after ${formatDuration(end.durationMs)} (outcome ${end.outcome}${end.outcomeDetail ? `: ${end.outcomeDetail}` : ''})`;
}

/** `over its memory limit: 600MiB > 512MiB (kill)` (the alert rules say it the same way). */
export function violationText(v: LimitViolation): string {
  const figure = (n: number) => (v.limit === 'memory' ? formatBytes(n) : v.limit === 'cpu' ? `${Math.round(n)}%` : String(n));
  return `over its ${v.limit} limit: ${figure(v.value)} > ${figure(v.max)} (${v.action})`;
}

/** Calls whose jobs are gone afterwards: nothing is left to keep a timeline for. */
const REMOVING = new Set(['rm', 'prune', 'cleanup', 'daemon.stop']);

/** One `request` entry per job a client's call acted on, saying who asked; at the call's arrival, so it comes before what it caused. */
export function entriesOfCall(record: AuditRecord, runOf: (job: number) => number | null): { job: number; entry: TimelineEntry }[] {
  if (!record.result.ok || REMOVING.has(record.method)) return [];
  const by = clientLabel(record.client);
  const detail = callText(record);
  return record.result.jobs.flatMap((job) => {
    const run = runOf(job);
    return run === null ? [] : [{ job, entry: { at: record.at, run, kind: 'request' as const, detail, by } }];
  });
}

function callText(r: AuditRecord): string {
  const p = r.params;
  // `kill --port N --adopt` first adopts whoever holds the port: the job's first entry says so.
  const parts = [r.method === 'track' ? 'tracked' : r.method === 'kill' && p.adopt === true ? 'adopted and killed' : r.method];
  if (typeof p.port === 'number') parts.push(`the holder of ${portText({ port: p.port, protocol: p.protocol === 'udp' ? 'udp' : 'tcp' })}`);
  if (typeof p.signal === 'string' || typeof p.signal === 'number') parts.push(String(p.signal));
  if (typeof p.graceMs === 'number') parts.push(`grace ${formatDuration(p.graceMs)}`);
  if (typeof p.priority === 'string' || typeof p.priority === 'number') parts.push(`priority ${p.priority}`);
  if (typeof p.pid === 'number') parts.push(`pid ${p.pid}`);
  return parts.join(' ');
}

/**
 * Entries in time order. A call's `request` entry is written when the call ends but dated when it
 * came, so within one millisecond it goes before what it caused (the stop it asked for); otherwise
 * the order they were written in.
 */
export function inTimeOrder(entries: readonly TimelineEntry[]): TimelineEntry[] {
  const firstWithinMs = (e: TimelineEntry) => (e.kind === 'request' ? 0 : 1);
  return entries
    .map((e, i) => [e, i] as const)
    .sort((a, b) => a[0].at - b[0].at || firstWithinMs(a[0]) - firstWithinMs(b[0]) || a[1] - b[1])
    .map(([e]) => e);
}
