// The line `procd logs` prints (on stderr) where a run's output begins, as a pure function of the
// job, the run and the time: `--- run 2 (started 15:24:22, exited 3 after 35ms; restarted 0.6s later) ---`.

import { formatDuration } from '../../shared/duration.js';
import { isTerminal, type JobView, type TerminalState } from '../../shared/job.js';
import type { RunRecord } from '../../shared/restart.js';
import { localTime } from './format-time.js';

type Ended = Pick<RunRecord, 'outcome' | 'outcomeDetail' | 'exitCode' | 'signal' | 'pid' | 'durationMs'>;

/**
 * The marker of run `run`. With `previous` (when following into a new run, whose predecessor had
 * no marker), it says first how the run before it ended.
 */
export function runMarker(job: Pick<JobView, 'state' | 'runs'>, run: number, now: number, opts: { previous?: boolean } = {}): string {
  const before = opts.previous ? job.runs?.earlier.find((r) => r.run === run - 1) : undefined;
  const lead = before ? `after run ${before.run} ${endText(before)}; ` : '';
  return `--- run ${run} (${lead}${runFacts(job, run, now)}) ---`;
}

/** When a run started and how it ended, or what it is doing now. */
export function runFacts(job: Pick<JobView, 'state' | 'runs'>, run: number, now: number): string {
  const earlier = job.runs?.earlier ?? [];
  const i = earlier.findIndex((r) => r.run === run);
  const record = earlier[i];
  if (record) return `started ${clock(record.startedAt, now)}, ${endText(record)}; ${followedBy(job, record, earlier[i + 1], now)}`;
  const s = job.state;
  switch (s.kind) {
    case 'queued':
      if (s.reason.kind === 'queue') return `not started yet: ${s.reason.detail}`;
      return s.reason.kind === 'restart' ? `not started yet: restart at ${clock(s.reason.at, now)}` : `not started yet: queued until ${clock(s.reason.at, now)}`;
    case 'starting':
      return 'starting';
    case 'running':
    case 'paused':
      return `started ${clock(s.startedAt, now)}, ${s.kind}`;
    default:
      return terminalFacts(s, now);
  }
}

function terminalFacts(s: TerminalState, now: number): string {
  if (s.outcome === 'cancelled') return 'cancelled before it started';
  const started = s.pid === null ? '' : `started ${clock(s.startedAt, now)}, `;
  if (s.outcome !== 'restarts_exhausted') return `${started}${endText(s)}`;
  const last = endText({ ...s, outcome: s.signal ? 'signal' : s.exitCode === null ? 'spawn_error' : 'exit' });
  return `${started}${last}; no more restarts: ${s.outcomeDetail ?? 'its policy gave up'}`;
}

/** `exited 3 after 35ms`, `killed by SIGTERM after 2.1s`, `could not start`. */
export function endText(e: Ended): string {
  const after = e.pid === null ? '' : ` after ${formatDuration(e.durationMs)}`;
  switch (e.outcome) {
    case 'exit':
      return `exited ${e.exitCode ?? '?'}${after}`;
    case 'signal':
      return `killed by ${e.signal?.name ?? 'a signal'}${after}`;
    case 'timeout':
      return `timed out${after}`;
    case 'limit':
      return `went over its ${e.outcomeDetail ? `${e.outcomeDetail} ` : ''}limit${after}`;
    case 'spawn_error':
      return 'could not start';
    case 'cancelled':
      return 'cancelled before it started';
    default:
      return `ended (${e.outcome}${e.outcomeDetail ? `: ${e.outcomeDetail}` : ''})${after}`;
  }
}

/** What came after an ended run: how soon the next one started, or when it will. */
function followedBy(job: Pick<JobView, 'state' | 'runs'>, record: RunRecord, next: RunRecord | undefined, now: number): string {
  const how = record.then === 'manual_restart' ? 'restarted by procd restart' : record.then === 'resurrect' ? 'started again after a reboot' : 'restarted';
  const s = job.state;
  const nextStart = next ? next.startedAt : job.runs?.current === record.run + 1 ? startOf(s) : null;
  if (nextStart !== null) return `${how} ${formatDuration(Math.max(0, nextStart - record.endedAt))} later`;
  if (s.kind === 'queued' && s.reason.kind === 'restart') return `restart in ${formatDuration(Math.max(0, s.reason.at - now))}`;
  if (isTerminal(s) && s.outcome === 'cancelled') return 'its restart was cancelled';
  return s.kind === 'starting' ? 'restarting now' : how;
}

/** When the current run's process started; null before it has one. */
function startOf(s: JobView['state']): number | null {
  if (s.kind === 'running' || s.kind === 'paused') return s.startedAt;
  return isTerminal(s) && s.pid !== null ? s.startedAt : null;
}

/** `15:24:22` today, `2026-12-02 15:24:22` on another day (local time). */
export function clock(ms: number, now: number): string {
  const full = localTime(ms);
  return full.slice(0, 10) === localTime(now).slice(0, 10) ? full.slice(11) : full;
}
