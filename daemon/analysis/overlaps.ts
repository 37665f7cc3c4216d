// Runs of the same command that ran at the same time within the period (from the history): a job
// started the command in the same directory while another job's run of it still ran. One pass over
// the runs in the order the history gives them (by end): a run overlaps an earlier-ended run of its
// command exactly when it started before the latest of those ended, which is the one just before it.

import type { Overlap } from '../../shared/analyze.js';
import type { HistoryRun } from '../../shared/history.js';
import { runRef } from './input.js';

interface Acc {
  /** The run of this command that ended last so far. */
  prev: HistoryRun;
  times: number;
  latest: [HistoryRun, HistoryRun] | null;
  last: HistoryRun;
}

/** `runs` oldest first by end (HistoryReader.runsSince). */
export function overlaps(runs: readonly HistoryRun[]): Overlap[] {
  const bySig = new Map<string, Acc>();
  for (const run of runs) {
    const acc = bySig.get(run.signature);
    if (!acc) {
      bySig.set(run.signature, { prev: run, times: 0, latest: null, last: run });
      continue;
    }
    // Runs of one job never overlap (restarts follow each other): a restart is not a second start.
    if (run.startedAt < acc.prev.endedAt && run.jobId !== acc.prev.jobId) {
      acc.times++;
      acc.latest = run.startedAt >= acc.prev.startedAt ? [acc.prev, run] : [run, acc.prev];
    }
    acc.prev = run;
    acc.last = run;
  }
  const out: Overlap[] = [];
  for (const [signature, a] of bySig) {
    if (!a.latest) continue;
    const [first, second] = a.latest;
    out.push({ signature, command: a.last.command, cwd: a.last.cwd, name: a.last.name, times: a.times, latest: [runRef(first), runRef(second)], at: second.startedAt });
  }
  return out.sort((a, b) => b.times - a.times || b.at - a.at);
}
