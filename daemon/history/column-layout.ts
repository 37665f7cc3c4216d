// The history's columns (columns.ts): one typed array per field of a run, and the numbers that
// stand for "none" in them. Shared by the columns and the views that read them (columns-view.ts).

import type { HistoryRun } from '../../shared/history.js';
import { FLAG_KINDS, TERMINAL_STATES } from '../../shared/job.js';
import { LIMIT_KINDS } from '../../shared/limits.js';

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

/** Every subset of `all` by bit mask, frozen and shared by the runs that have it. */
function subsets<K>(all: readonly K[]): K[][] {
  return Array.from({ length: 1 << all.length }, (_, b) => Object.freeze(all.filter((_, i) => b & (1 << i))) as K[]);
}
const FLAG_SETS = subsets(FLAG_KINDS);
const LIMIT_SETS = subsets(LIMIT_KINDS);
/** A run's flags (raised during it) from their bit mask. */
export const flagsOfCode = (code: number) => FLAG_SETS[code]! as HistoryRun['flags'];
/** A run's limit violations from their bit mask. */
export const limitsOfCode = (code: number) => LIMIT_SETS[code]! as HistoryRun['violations'];
