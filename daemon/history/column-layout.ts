// The history's columns (columns.ts): one typed array per field of a run, and the numbers that
// stand for "none" in them. Shared by the columns and the views that read them (columns-view.ts).

import type { HistoryRun } from '../../shared/history.js';
import { TERMINAL_STATES } from '../../shared/job.js';

export const NONE = -1;
export const NO_EXIT = -(2 ** 31);

const F64 = ['seq', 'startedAt', 'endedAt', 'durationMs', 'cpuPeak', 'cpuAvg', 'rssPeak', 'rssAvg', 'readyAfterMs', 'offset'] as const;
const I32 = ['jobId', 'run', 'restarts', 'exitCode', 'signature', 'name', 'command', 'cwd', 'group', 'tags', 'detail', 'signal', 'errors', 'segment', 'length'] as const;
const U8 = ['state', 'outcome', 'kind', 'flags', 'violations'] as const;

/** Numbers as Float64 (NaN: null), ints and interned-string refs as Int32 (NONE: null), enums and bit sets as Uint8. */
export type Cols = { [K in (typeof F64)[number]]: Float64Array } & { [K in (typeof I32)[number]]: Int32Array } & {
  [K in (typeof U8)[number]]: Uint8Array;
};

export function allocate(n: number): Cols {
  const cols: Partial<Record<keyof Cols, unknown>> = {};
  for (const k of F64) cols[k] = new Float64Array(n);
  for (const k of I32) cols[k] = new Int32Array(n);
  for (const k of U8) cols[k] = new Uint8Array(n);
  return cols as Cols;
}

export const orNull = (x: number) => (Number.isNaN(x) ? null : x);

/** A run's end state from its column code. */
export const stateOfCode = (code: number) => TERMINAL_STATES[code]! as HistoryRun['state'];

/** A run's exit code from its column value (NO_EXIT: none). */
export const exitOfCode = (code: number) => (code === NO_EXIT ? null : code);
