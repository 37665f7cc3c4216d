// Limits and their violations as people read them (status, events, the end line of track --wait).

import { formatBytes, formatDuration } from '../../shared/duration.js';
import { CPU_LIMIT_WINDOW_MS, hasLimits, type JobLimits, type LimitKind, type LimitViolation } from '../../shared/limits.js';

function figure(limit: LimitKind, n: number): string {
  switch (limit) {
    case 'memory':
      // One decimal: a reading just over the limit must not print as equal to it.
      return n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)}MiB` : formatBytes(n);
    case 'cpu':
      return `${n}%`;
    case 'fds':
      return `${n} fds`;
    case 'procs':
      return `${n} processes`;
  }
}

/** `memory 210MiB over the limit 50MiB`. */
export function violationText(v: LimitViolation): string {
  const over = `${v.limit} ${figure(v.limit, v.value)} over the limit ${figure(v.limit, v.max)}`;
  return v.action === 'kill' ? `${over}: stopping the job` : `${over} (warn only)`;
}

/** `memory 50MiB, procs 50 processes; on limit: kill`, or null without limits. */
export function limitsText(limits: JobLimits | undefined): string | null {
  if (!hasLimits(limits)) return null;
  const parts: string[] = [];
  if (limits.maxMemoryBytes !== null) parts.push(`memory ${formatBytes(limits.maxMemoryBytes)}`);
  if (limits.maxCpuPercent !== null) parts.push(`cpu ${limits.maxCpuPercent}% over ${formatDuration(CPU_LIMIT_WINDOW_MS)}`);
  if (limits.maxFds !== null) parts.push(`fds ${limits.maxFds}`);
  if (limits.maxProcs !== null) parts.push(`procs ${limits.maxProcs}`);
  return `${parts.join(', ')} (whole tree); on limit: ${limits.onLimit}`;
}
