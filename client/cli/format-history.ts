// Recorded runs and learned baselines as a person reads them (`procd history`, `procd status`).

import { formatBytes, formatDuration } from '../../shared/duration.js';
import type { Baseline, HistoryRun } from '../../shared/history.js';
import { escapeControls } from './format-job.js';
import { ago } from './format-time.js';

/** `42s (p90 51s), learned from 20 successful runs` (status shows it as `usually …`). */
export function baselineText(b: Baseline): string {
  return `${formatDuration(b.medianMs)} (p90 ${formatDuration(b.p90Ms)}), learned from ${b.runs} successful runs`;
}

/** `0`, `2`, `SIGKILL(137)`, `spawn error`: how a run ended, in one short cell. */
export function runEndText(r: HistoryRun): string {
  if (r.outcome === 'spawn_error') return 'spawn error';
  if (r.signal) return `${r.signal}(${r.exitCode ?? '?'})`;
  return r.exitCode === null ? r.outcome : String(r.exitCode);
}

export const HISTORY_HEADERS = ['ENDED', 'JOB', 'RUN', 'STATE', 'EXIT', 'TIME', 'CPU', 'MEM', 'FLAGS', 'LAST STDERR LINE'];

export function historyRow(r: HistoryRun, now: number): string[] {
  return [
    ago(r.endedAt, now),
    `${r.jobId} ${r.name}`,
    String(r.run),
    r.outcome === 'exit' || r.outcome === 'signal' ? r.state : `${r.state}/${r.outcome}`,
    runEndText(r),
    formatDuration(r.durationMs),
    r.cpuPeak === null ? '-' : `${r.cpuPeak.toFixed(0)}%`,
    r.rssPeak === null ? '-' : formatBytes(r.rssPeak),
    [...r.flags, ...r.violations.map((v) => `over:${v}`)].join(',') || '-',
    escapeControls(r.stderrTail[r.stderrTail.length - 1] ?? ''),
  ];
}
