// The history's place in the daemon: the store opened at start (before re-adoption, whose ends
// are runs too), the recorder on the job table, periodic maintenance, the learned baseline the
// monitor's time-sink flag asks for, and the order of things at shutdown.

import { commandSignature, type Baseline } from '../../shared/history.js';
import type { Job, JobSpec } from '../../shared/job.js';
import type { JobTable } from '../jobs/job-table.js';
import type { Logger } from '../logger.js';
import { HistoryStore } from './history-store.js';
import { HistoryRecorder } from './recorder.js';
import type { HistorySettings } from './settings.js';

const MAINTAIN_EVERY_MS = 60_000;

export interface DaemonHistory {
  store: HistoryStore;
  /** The learned duration of a job's command (its signature's baseline), or null. */
  baselineOf(job: Job): Baseline | null;
  /** Records the runs ending now, then writes what is pending and closes the files. */
  close(): Promise<void>;
}

export function startHistory(dir: string, table: JobTable, logger: Logger, settings: HistorySettings = {}): DaemonHistory {
  const store = HistoryStore.open(dir, settings);
  store.onWarning = (warning) => logger.warn({ warning }, 'history problem');
  for (const warning of store.warnings) logger.warn({ warning }, 'history problem found at start');
  logger.info({ runs: store.size, dir }, 'history loaded');
  const recorder = new HistoryRecorder(table, store, logger);
  const maintain = () => void store.maintain().catch((err: unknown) => logger.error({ err }, 'history maintenance failed'));
  const timer = setInterval(maintain, MAINTAIN_EVERY_MS);
  timer.unref();
  setImmediate(maintain);
  // A job's spec object is kept across its changes: its signature is computed once, not every tick.
  const signatures = new WeakMap<JobSpec, string>();
  const signatureOf = (job: Job) => {
    let s = signatures.get(job.spec);
    if (s === undefined) signatures.set(job.spec, (s = commandSignature(job.spec.command, job.spec.cwd)));
    return s;
  };
  return {
    store,
    baselineOf: (job) => store.baseline(signatureOf(job)),
    close: async () => {
      clearInterval(timer);
      await recorder.settle();
      await store.close();
    },
  };
}
