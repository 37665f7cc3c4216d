// The history of finished runs (issue 14): one record per run that ended, whatever came next (its
// restart policy started it again, or it stayed ended). The daemon appends these to its history
// store (daemon/history/) and the analysers (analyze, trends, baselines) read only this shape, so
// they can be tested on synthetic histories.

import type { FlagKind, JobKind } from './job.js';
import type { LimitKind } from './limits.js';
import type { OutcomeKind, TerminalStateKind } from './outcomes.js';

/** An error found in a run's stderr tail or exit status (daemon/history/error-signatures.ts). */
export interface FoundError {
  /** The pattern's name: `EADDRINUSE`, `ENOENT`, `oom`, `segfault`, `command_not_found`, `python_exception`, ... */
  signature: string;
  /** What varies within the signature, when it matters: the port, the exception class, the missing path; null: nothing. */
  detail: string | null;
  /** The line it was found in (cut to ERROR_LINE_CHARS), or a description for exit-status signatures. */
  line: string;
}

export const ERROR_LINE_CHARS = 240;
/** At most this many lines of a run's stderr are kept with it (and at most STDERR_TAIL_CHARS characters in all). */
export const STDERR_TAIL_LINES = 5;
export const STDERR_TAIL_CHARS = 1024;

export interface HistoryRun {
  /** Position in the history: increases by one with each recorded run, never reused. */
  seq: number;
  jobId: number;
  /** The job's run number (1 for its first run; a restart is run 2, ...). */
  run: number;
  name: string;
  /**
   * What makes two runs "the same command": the argv (JSON) or the shell script with its whitespace
   * collapsed, plus the cwd (commandSignature below).
   */
  signature: string;
  /** The command as people read it (cut to COMMAND_DISPLAY_CHARS). */
  command: string;
  cwd: string;
  tags: string[];
  group: string;
  kind: JobKind;
  startedAt: number;
  endedAt: number;
  durationMs: number;
  state: TerminalStateKind;
  outcome: OutcomeKind;
  outcomeDetail: string | null;
  exitCode: number | null;
  /** The signal's name when a signal ended it. */
  signal: string | null;
  /** How many restarts came before this run (run - 1 for a job procd restarted). */
  restarts: number;
  /** Resource figures over the run; null: never sampled (it ended before the first sample). */
  cpuPeak: number | null;
  cpuAvg: number | null;
  rssPeak: number | null;
  rssAvg: number | null;
  /** Flags raised during the run (each kind once). */
  flags: FlagKind[];
  /** Limits it went over during the run (each kind once). */
  violations: LimitKind[];
  /** From start to ready (its readiness probe passed); null: no readiness probe or never ready. */
  readyAfterMs: number | null;
  /** The last lines of its stderr (at most STDERR_TAIL_LINES lines, STDERR_TAIL_CHARS characters). */
  stderrTail: string[];
  errors: FoundError[];
}

/** Two runs are of the same command when their signatures are equal: argv or collapsed script, and cwd. */
export function commandSignature(command: { kind: 'argv'; argv: string[] } | { kind: 'shell'; script: string } | { kind: 'adopted'; argv: string[] }, cwd: string): string {
  const what = command.kind === 'shell' ? `sh:${command.script.trim().replace(/\s+/g, ' ')}` : JSON.stringify(command.argv);
  return `${what}@${cwd}`;
}

/**
 * What a command usually takes, learned from its successful runs (completed, exit 0): the median and
 * p90 of the last BASELINE_WINDOW of them, once there are at least BASELINE_MIN_RUNS.
 */
export interface Baseline {
  signature: string;
  /** Successful runs it is computed from (≤ BASELINE_WINDOW). */
  runs: number;
  medianMs: number;
  p90Ms: number;
}

export const BASELINE_MIN_RUNS = 3;
export const BASELINE_WINDOW = 20;
