// One closed table of outcomes: how a job ended, beyond its terminal state. The CLI, JSON output,
// events, the docs and later the analysis read this table instead of re-deriving it.

import type { JobStateKind } from './job.js';

export type OutcomeKind =
  | 'exit'
  | 'spawn_error'
  | 'signal'
  | 'timeout'
  | 'cancelled'
  | 'limit'
  | 'oom'
  | 'unhealthy'
  | 'restarts_exhausted'
  | 'dependency_failed'
  | 'vanished'
  | 'released';

export interface OutcomeDef {
  /** The terminal states this outcome can end a job in. */
  states: readonly TerminalStateKind[];
  /** What happened, for people (also the docs' table). */
  doc: string;
  /** The exit code reported: the process's own, 128+N of the signal, or none. */
  exitCode: 'own' | '128+signal' | 'null' | "last run's";
}

export type TerminalStateKind = Extract<JobStateKind, 'completed' | 'failed' | 'killed' | 'timed_out' | 'lost'>;

export const OUTCOMES: Readonly<Record<OutcomeKind, OutcomeDef>> = {
  exit: { states: ['completed', 'failed'], doc: 'the main process exited by itself (0: completed; N ≠ 0: failed)', exitCode: 'own' },
  spawn_error: { states: ['failed'], doc: 'the command could not be started (ENOENT, EACCES, a missing cwd, a shim that cannot run)', exitCode: 'null' },
  signal: { states: ['killed'], doc: 'stopped by `procd kill` or by a signal from outside', exitCode: '128+signal' },
  timeout: { states: ['timed_out'], doc: 'stopped by procd because `--timeout` (`--max-runtime`) passed', exitCode: '128+signal' },
  cancelled: { states: ['killed'], doc: 'stopped before it ever ran (queued or waiting to restart)', exitCode: 'null' },
  limit: { states: ['failed'], doc: 'stopped for going over a limit (detail: memory, cpu, fds, procs)', exitCode: '128+signal' },
  unhealthy: { states: ['failed'], doc: 'stopped because its liveness probe failed `failureThreshold` times in a row (detail: liveness); its restart policy starts it again', exitCode: '128+signal' },
  restarts_exhausted: { states: ['failed'], doc: 'its restart policy gave up', exitCode: "last run's" },
  dependency_failed: { states: ['failed'], doc: 'a job it depends on can no longer succeed', exitCode: 'null' },
  vanished: { states: ['lost'], doc: 'the main process vanished and no exit status could be learned', exitCode: 'null' },
  released: { states: ['lost'], doc: 'an adopted process procd stopped supervising (`procd release`) without signalling it: it may still run, its end is unknown', exitCode: 'null' },
  // Appended, never inserted: the history's columns store an outcome as its index in this table (daemon/history/columns.ts).
  oom: {
    states: ['failed'],
    doc: "killed by the kernel's OOM killer without a memory limit of procd's: the machine ran out of memory, or a limit above the job's did (a container's, a systemd slice's). Known from the job's cgroup (memory.events), so only with cgroup containment; with process groups such an end is `signal` (SIGKILL)",
    exitCode: '128+signal',
  },
};

export const OUTCOME_KINDS = Object.keys(OUTCOMES) as OutcomeKind[];
