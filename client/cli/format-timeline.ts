// A job's timeline as `status --timeline` prints it: each entry's time after the job started (its
// first run's start; before it, negative) and its wall-clock time, the run, what happened and who.

import { formatDuration } from '../../shared/duration.js';
import type { TimelineEntry } from '../../shared/timeline.js';
import { localTime } from './format-time.js';
import { paint, table, type Output } from './output.js';

const COLORS: Partial<Record<TimelineEntry['kind'], 'red' | 'yellow' | 'green' | 'gray'>> = {
  'flag.raised': 'yellow',
  'flag.changed': 'yellow',
  limit: 'red',
  stopping: 'red',
  leftovers: 'red',
  alert: 'red',
  ready: 'green',
  trimmed: 'gray',
};

/** `+2.5s`, `-120ms`: an entry's time relative to the job's start. */
export function relativeTime(ms: number): string {
  return `${ms < 0 ? '-' : '+'}${formatDuration(Math.abs(ms))}`;
}

/** When the job started: its first run's start, else when it was created (it never started). */
export function timelineOrigin(entries: readonly TimelineEntry[], createdAt: number): number {
  return entries.find((e) => e.kind === 'started')?.at ?? createdAt;
}

export function timelineRows(entries: readonly TimelineEntry[], origin: number): string[][] {
  const multiRun = entries.some((e) => e.run > 1);
  return entries.map((e) => [
    relativeTime(e.at - origin),
    `${localTime(e.at)}.${String(e.at % 1000).padStart(3, '0')}`,
    ...(multiRun ? [`run ${e.run}`] : []),
    e.kind,
    e.by ? `${e.detail} — by ${e.by}` : e.detail,
  ]);
}

export function printTimeline(out: Output, entries: readonly TimelineEntry[], createdAt: number): void {
  if (!entries.length) {
    out.out('\ntimeline: nothing recorded');
    return;
  }
  const origin = timelineOrigin(entries, createdAt);
  const multiRun = entries.some((e) => e.run > 1);
  const headers = ['AFTER START', 'TIME', ...(multiRun ? ['RUN'] : []), 'WHAT', 'DETAIL'];
  const kindCol = multiRun ? 3 : 2;
  out.out(`\ntimeline (from the start at ${localTime(origin)}):`);
  out.out(table(headers, timelineRows(entries, origin), out.width, (row, col, text) => {
    const color = COLORS[entries[row]!.kind];
    return col === kindCol && color ? paint(out, color, text) : text;
  }));
}
