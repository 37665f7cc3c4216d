// What a probe checks against, and what one check answers. One checker per condition kind
// (daemon/probes/checks/*.ts); the probe runner (probe-runner.ts) schedules them and counts the
// answers against the thresholds. Checkers run inside the daemon and spawn no process, except
// `exec`, whose point is to run one.

import type { ProbeCondition } from '../../shared/conditions.js';

/** The running job a check looks at. */
export interface ProbeTarget {
  jobId: number;
  /** The job's working directory and environment (`exec` runs with them). */
  cwd: string;
  env: Readonly<Record<string, string>>;
  /** The current run's directory: its output segments (`output` reads them). */
  dir: string;
  /** The live processes of the job's tree now (`listen` looks at their sockets). */
  pids(): Promise<readonly number[]>;
}

export interface CheckResult {
  ok: boolean;
  /** One line for people: what was seen ("HTTP 200", "listening on 8080") or why it failed ("ECONNREFUSED 127.0.0.1:8080", "exit 1: not ready"). */
  detail: string;
}

/** One probe's checker: created once per run, so a checker can keep state between checks (the output cursor). */
export interface ProbeCheck {
  /** Runs one check; resolves (never rejects) within about `timeoutMs`, a timeout being a failure. */
  run(timeoutMs: number): Promise<CheckResult>;
  /** Stops whatever a check still runs (an `exec` child) and frees what the checker holds. */
  close(): void;
}

export type CheckerFactory = (condition: ProbeCondition, target: ProbeTarget) => ProbeCheck;
