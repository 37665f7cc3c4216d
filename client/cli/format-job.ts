// Human-readable pieces of a job, shared by ls and status.

import { formatBytes, formatDuration } from '../../shared/duration.js';
import { escapeControls } from '../../shared/escape-controls.js';
import { commandText, hasLiveProcess, isTerminal, wasStopped, type JobState, type ResourceStats } from '../../shared/job.js';
import type { Color } from './output.js';
import { unreachable } from '../../shared/unreachable.js';
import type { JobRow } from '../../shared/job-row.js';

export function stateColor(kind: JobState['kind']): Color {
  switch (kind) {
    case 'running':
    case 'starting':
      return 'cyan';
    case 'completed':
      return 'green';
    case 'queued':
    case 'paused':
      return 'gray';
    case 'killed':
    case 'timed_out':
      return 'yellow';
    case 'failed':
    case 'lost':
      return 'red';
    default:
      return unreachable(kind, 'job state');
  }
}

/** Elapsed time of a running job, or the duration of a finished one. */
export function elapsed(job: JobRow, now = Date.now()): string {
  const s = job.state;
  if (hasLiveProcess(s)) return formatDuration(now - s.startedAt);
  return isTerminal(s) ? formatDuration(s.durationMs) : '-';
}

/** `0`, `3`, `SIGKILL(137)`, `OOM(137)` (the kernel's OOM killer), `ENOENT`, or `-` while running. */
export function exitText(job: JobRow): string {
  const s = job.state;
  if (!isTerminal(s)) return '-';
  if (s.kind === 'failed' && s.spawnError) return s.spawnError.code;
  if (s.outcome === 'cancelled') return 'cancelled';
  if (s.outcome === 'released') return 'released';
  if (s.outcome === 'dependency_failed') return 'dep-failed';
  if (s.outcome === 'oom') return `OOM(${s.exitCode ?? 137})`;
  if (s.signal) return `${s.signal.name}(${s.exitCode ?? 128 + s.signal.number})`;
  return s.exitCode === null ? '?' : String(s.exitCode);
}

export function pidText(job: JobRow): string {
  return hasLiveProcess(job.state) ? String(job.state.pid) : '-';
}

/** The state, with `killed!` for a forced kill and `stopping`/`timing-out` while a stop is under way. */
export function stateText(job: JobRow): string {
  const s = job.state;
  if (hasLiveProcess(s) && job.pendingKill) return job.pendingKill.reason === 'timeout' ? 'timing-out' : 'stopping';
  if (wasStopped(s) && s.forced) return `${s.kind}!`;
  return s.kind;
}

/** The command on one line: newlines, tabs and other control characters shown escaped, never sent to the terminal. */
export function commandOf(job: JobRow): string {
  return escapeControls(commandText(job.spec.command));
}

export { escapeControls };

export function time(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

/** CPU % of the last sample while running; the run's average once finished ('-' without a reading). */
export function cpuText(job: JobRow): string {
  const r = job.resources;
  if (!r?.last) return '-';
  const v = hasLiveProcess(job.state) ? r.last.cpuPercent : hasCpuReading(r) ? r.cpuAvg : null;
  return v === null ? '-' : `${v.toFixed(0)}%`;
}

/** The first reading of a process has no CPU figure: with no other, peak and average are unknown, not 0. */
export function hasCpuReading(r: ResourceStats): boolean {
  return r.cpuSamples !== 0;
}

/** RSS of the whole tree at the last sample while running; the peak once finished. */
export function memText(job: JobRow): string {
  const r = job.resources;
  if (!r?.last) return '-';
  return formatBytes(hasLiveProcess(job.state) ? r.last.rssBytes : r.rssPeak);
}

/** Active flags, e.g. `stuck,leftovers:2`. */
export function flagText(job: JobRow): string {
  return job.flags.map((f) => (f.kind === 'leftovers' || f.kind === 'zombie' ? `${f.kind}:${f.pids.length}` : f.severity === 'high' ? `${f.kind}!` : f.kind)).join(',');
}

/** `svc` for a service, `task` for a task (ls's KIND column). */
export function kindText(job: JobRow): string {
  return job.spec.kind === 'service' ? 'svc' : 'task';
}
