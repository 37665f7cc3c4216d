// The history's runs as a RunTable (reader.ts) over its columns: each field read where it is kept,
// so `analyze` over 100,000 runs builds no HistoryRun (that took ~150 ms, twice the analysers).

import { JOB_KINDS } from '../../shared/job.js';
import type { HistoryRun } from '../../shared/history.js';
import { allocate, exitOfCode, flagsOfCode, NONE, orNull, stateOfCode, type Cols } from './column-layout.js';
import type { RunTable } from './reader.js';

/**
 * Runs [start, end) of the columns (index 0 is `start`), or the given rows of them. The arrays and
 * pools as they were when it was made.
 */
export class ColumnsView implements RunTable {
  readonly length: number;
  private readonly c: Cols;
  constructor(
    cols: Cols,
    private readonly strings: readonly string[],
    private readonly errorLists: readonly HistoryRun['errors'][],
    private readonly start: number,
    end: number,
    rows?: Int32Array,
  ) {
    this.length = Math.max(0, end - start);
    // Selected rows: the columns gathered into arrays of their own (rare: an old history out of order).
    this.c = rows ? gather(cols, rows) : cols;
  }
  jobId(i: number): number {
    return this.c.jobId[this.start + i]!;
  }
  run(i: number): number {
    return this.c.run[this.start + i]!;
  }
  name(i: number): string {
    return this.strings[this.c.name[this.start + i]!]!;
  }
  signature(i: number): string {
    return this.strings[this.c.signature[this.start + i]!]!;
  }
  command(i: number): string {
    return this.strings[this.c.command[this.start + i]!]!;
  }
  cwd(i: number): string {
    return this.strings[this.c.cwd[this.start + i]!]!;
  }
  kind(i: number): HistoryRun['kind'] {
    return JOB_KINDS[this.c.kind[this.start + i]!]!;
  }
  startedAt(i: number): number {
    return this.c.startedAt[this.start + i]!;
  }
  endedAt(i: number): number {
    return this.c.endedAt[this.start + i]!;
  }
  durationMs(i: number): number {
    return this.c.durationMs[this.start + i]!;
  }
  state(i: number): HistoryRun['state'] {
    return stateOfCode(this.c.state[this.start + i]!);
  }
  exitCode(i: number): number | null {
    return exitOfCode(this.c.exitCode[this.start + i]!);
  }
  signal(i: number): string | null {
    const ref = this.c.signal[this.start + i]!;
    return ref === NONE ? null : this.strings[ref]!;
  }
  restarts(i: number): number {
    return this.c.restarts[this.start + i]!;
  }
  rssPeak(i: number): number | null {
    return orNull(this.c.rssPeak[this.start + i]!);
  }
  cpuAvg(i: number): number | null {
    return orNull(this.c.cpuAvg[this.start + i]!);
  }
  rssAvg(i: number): number | null {
    return orNull(this.c.rssAvg[this.start + i]!);
  }
  flags(i: number): HistoryRun['flags'] {
    return flagsOfCode(this.c.flags[this.start + i]!);
  }
  errors(i: number): HistoryRun['errors'] {
    return this.errorLists[this.c.errors[this.start + i]!]!;
  }
}

/** A copy of the columns holding only `rows`, in that order. */
function gather(cols: Cols, rows: Int32Array): Cols {
  const out = allocate(rows.length);
  for (const k of Object.keys(out) as (keyof Cols)[]) {
    const from = cols[k] as Float64Array;
    const to = out[k] as Float64Array;
    for (let j = 0; j < rows.length; j++) to[j] = from[rows[j]!]!;
  }
  return out;
}
