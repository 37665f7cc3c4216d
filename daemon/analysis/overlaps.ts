// Runs of the same command that ran at the same time within the period (from the history): a job
// started the command in the same directory while another job's run of it still ran. One pass over
// the runs in the order the history gives them (by end): a run overlaps an earlier-ended run of its
// command exactly when it started before the latest of those ended, which is the one just before it.

import type { Overlap } from '../../shared/analyze.js';
import { runRefAt } from './input.js';
import { runTable, type Runs } from './runs.js';

/** Runs by index into the table. */
interface Acc {
  /** The run of this command that ended last so far (also its latest run: the order is by end). */
  prev: number;
  times: number;
  latest: [number, number] | null;
}

/** `runs` oldest first by end (HistoryReader.runsSince). */
export function overlaps(input: Runs): Overlap[] {
  const runs = runTable(input);
  const bySig = new Map<string, Acc>();
  for (let i = 0; i < runs.length; i++) {
    const signature = runs.signature(i);
    const acc = bySig.get(signature);
    if (!acc) {
      bySig.set(signature, { prev: i, times: 0, latest: null });
      continue;
    }
    // Runs of one job never overlap (restarts follow each other): a restart is not a second start.
    const startedAt = runs.startedAt(i);
    if (startedAt < runs.endedAt(acc.prev) && runs.jobId(i) !== runs.jobId(acc.prev)) {
      acc.times++;
      acc.latest = startedAt >= runs.startedAt(acc.prev) ? [acc.prev, i] : [i, acc.prev];
    }
    acc.prev = i;
  }
  const out: Overlap[] = [];
  for (const [signature, a] of bySig) {
    if (!a.latest) continue;
    const [first, second] = a.latest;
    const last = a.prev;
    out.push({ signature, command: runs.command(last), cwd: runs.cwd(last), name: runs.name(last), times: a.times, latest: [runRefAt(runs, first), runRefAt(runs, second)], at: runs.startedAt(second) });
  }
  return out.sort((a, b) => b.times - a.times || b.at - a.at);
}
