// The finished runs an analyser reads: the store's RunTable (its columns, no object per run) or a
// plain array of runs (tests, bench/analyze.mjs), read through one interface by index.

import type { HistoryRun } from '../../shared/history.js';
import type { RunTable } from '../history/reader.js';

export type { RunTable } from '../history/reader.js';

/** What AnalysisInput.runs and the analysers accept. */
export type Runs = RunTable | readonly HistoryRun[];

export function runTable(runs: Runs): RunTable {
  return isRunTable(runs) ? runs : new ArrayRunTable(runs);
}

function isRunTable(runs: Runs): runs is RunTable {
  return typeof (runs as Partial<RunTable>).jobId === 'function';
}

/** An array of runs as a RunTable. */
class ArrayRunTable implements RunTable {
  constructor(private readonly runs: readonly HistoryRun[]) {}
  get length(): number {
    return this.runs.length;
  }
  jobId(i: number): number {
    return this.runs[i]!.jobId;
  }
  run(i: number): number {
    return this.runs[i]!.run;
  }
  name(i: number): string {
    return this.runs[i]!.name;
  }
  signature(i: number): string {
    return this.runs[i]!.signature;
  }
  command(i: number): string {
    return this.runs[i]!.command;
  }
  cwd(i: number): string {
    return this.runs[i]!.cwd;
  }
  kind(i: number): HistoryRun['kind'] {
    return this.runs[i]!.kind;
  }
  startedAt(i: number): number {
    return this.runs[i]!.startedAt;
  }
  endedAt(i: number): number {
    return this.runs[i]!.endedAt;
  }
  durationMs(i: number): number {
    return this.runs[i]!.durationMs;
  }
  state(i: number): HistoryRun['state'] {
    return this.runs[i]!.state;
  }
  exitCode(i: number): number | null {
    return this.runs[i]!.exitCode;
  }
  signal(i: number): string | null {
    return this.runs[i]!.signal;
  }
  restarts(i: number): number {
    return this.runs[i]!.restarts;
  }
  rssPeak(i: number): number | null {
    return this.runs[i]!.rssPeak;
  }
  cpuAvg(i: number): number | null {
    return this.runs[i]!.cpuAvg;
  }
  rssAvg(i: number): number | null {
    return this.runs[i]!.rssAvg;
  }
  flags(i: number): HistoryRun['flags'] {
    return this.runs[i]!.flags;
  }
  errors(i: number): HistoryRun['errors'] {
    return this.runs[i]!.errors;
  }
}
