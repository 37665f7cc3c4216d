// Records every run that ends into the history store: the job table announces each run end once
// (JobTable 'runEnded', the one place every end passes through, restarts included); the stderr
// tail is read from the run's output without holding up anything else, then the run is appended,
// in the order the runs ended.

import type { HistoryRun } from '../../shared/history.js';
import type { JobTable, RunEnded } from '../jobs/job-table.js';
import type { Logger } from '../logger.js';
import { findErrors } from './error-signatures.js';
import type { HistoryStore } from './history-store.js';
import { endedWithoutRun, historyRunOf } from './record-run.js';
import { readStderrEnd, tailLines } from './stderr-tail.js';

export class HistoryRecorder {
  private readonly inFlight = new Set<Promise<void>>();
  /** The latest run's recording (it never rejects: failures are logged): the next one follows it. */
  private lastInOrder: Promise<void> = Promise.resolve();

  constructor(
    table: JobTable,
    private readonly store: HistoryStore,
    private readonly logger: Logger,
  ) {
    table.on('runEnded', (end) => this.onRunEnded(end));
  }

  private onRunEnded({ job, ended, final }: RunEnded): void {
    if (endedWithoutRun(ended)) return;
    // A run that never had a process (could not start), an adopted one, or one whose shim is gone (lost) has no `closed` file.
    const hadShim = ended.pid !== null && ended.outcome !== 'spawn_error' && ended.kind !== 'lost' && job.spec.command.kind !== 'adopted';
    // Tails are read at once, side by side; records are appended in the order the runs ended (a
    // tail waiting for its shim must not let a later run take an earlier place: the analysers and
    // the age bound read the history in end order).
    const lines = readStderrEnd(job.dir, hadShim);
    const recording = this.lastInOrder
      .then(() => lines)
      .then((lines) => {
        const fields = historyRunOf(job, ended, final, tailLines(lines.join('\n'), false));
        // The errors the end of its stderr (more than the tail it keeps) and its end show
        // (error-signatures.ts), counted by `procd analyze`.
        const errors = findErrors({ stderrTail: lines, exitCode: fields.exitCode, signal: fields.signal, outcome: fields.outcome, outcomeDetail: fields.outcomeDetail });
        const run: Omit<HistoryRun, 'seq'> = { ...fields, errors };
        this.store.record(run);
      })
      .catch((err: unknown) => this.logger.error({ err, job: job.id }, 'could not record a finished run in the history'))
      .finally(() => this.inFlight.delete(recording));
    this.inFlight.add(recording);
    this.lastInOrder = recording;
  }

  /** Waits for the runs being recorded now (the daemon stops only after they are in). */
  async settle(): Promise<void> {
    while (this.inFlight.size) await Promise.all([...this.inFlight]);
  }
}
