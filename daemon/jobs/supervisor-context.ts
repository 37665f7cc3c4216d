// What the supervisor's modules share: the job table (the only writer of job state), the store,
// the log, the options and one deadline service. Each module gets this instead of globals, so
// tests build one with a fake clock.

import type { Logger } from '../logger.js';
import type { StateStore } from '../store/state-store.js';
import type { Deadlines } from './deadlines.js';
import type { JobTable } from './job-table.js';
import type { ProcessSnapshots } from '../monitor/job-processes.js';

export interface SupervisorOptions {
  jobsDir: string;
  /** Marks this daemon's jobs (PROCD_INSTANCE) apart from another home's. */
  instance: string;
  /** This instance's parent cgroup when jobs get a cgroup each (see daemon/cgroup/containment.ts); else null. */
  cgroupRoot?: string | null;
  defaultGraceMs: number;
  defaultMaxOutputBytes: number;
  defaultStuckAfterMs: number;
  /** How often jobs without a live shim channel (re-adopted ones) are checked for their end. */
  pollMs: number;
  /**
   * The monitor's snapshots, shared: a kill's first read then knows the markers of every process
   * the monitor has seen (each process's environment is read once, not once per reader).
   */
  snapshots?: ProcessSnapshots;
}

export interface SupervisorContext {
  table: JobTable;
  store: StateStore;
  logger: Logger;
  opts: SupervisorOptions;
  deadlines: Deadlines;
  /**
   * Makes changes durable where nobody waits for the answer (shim events, polling, re-adoption)
   * or where the action has already happened (a job spawned, a kill done): a failure (disk full)
   * is logged and the change stays queued in the store for its next successful write.
   */
  persistQuietly(what: string): Promise<void>;
}

export function persistQuietlyWith(store: StateStore, logger: Logger): (what: string) => Promise<void> {
  return (what) => store.flush().catch((err: unknown) => logger.error({ err, what }, 'could not save job records; retried with the next change'));
}

/** Deadline keys, one namespace per concern. */
export const timeoutKey = (id: number) => `timeout:${id}`;
export const queueKey = (id: number) => `queue:${id}`;
