// Runs of the same command that ran at the same time within the period (from the history): two
// jobs started the same command in the same directory while the first still ran. Per command, its
// runs by start time, sweeping the latest end so far: O(n log n) over the period.

import type { JobRef, Overlap } from '../../shared/analyze.js';
import type { HistoryRun } from '../../shared/history.js';
import { runRef } from './input.js';

export function overlaps(runs: readonly HistoryRun[]): Overlap[] {
  const bySig = new Map<string, number[]>();
  for (let i = 0; i < runs.length; i++) {
    const sig = runs[i]!.signature;
    const list = bySig.get(sig);
    if (list) list.push(i);
    else bySig.set(sig, [i]);
  }
  const out: Overlap[] = [];
  for (const [signature, idx] of bySig) {
    if (idx.length < 2) continue;
    idx.sort((a, b) => runs[a]!.startedAt - runs[b]!.startedAt);
    let times = 0;
    let latest: { pair: JobRef[]; at: number } | null = null;
    // The run ending last among those started so far: a later start before its end overlaps it.
    let holder = runs[idx[0]!]!;
    for (let k = 1; k < idx.length; k++) {
      const run = runs[idx[k]!]!;
      // Runs of one job never overlap (restarts follow each other); a restart is not a second start.
      if (run.startedAt < holder.endedAt && run.jobId !== holder.jobId) {
        times++;
        latest = { pair: [runRef(holder), runRef(run)], at: run.startedAt };
      }
      if (run.endedAt > holder.endedAt) holder = run;
    }
    if (!latest) continue;
    const last = runs[idx[idx.length - 1]!]!;
    out.push({ signature, command: last.command, cwd: last.cwd, name: last.name, times, latest: latest.pair, at: latest.at });
  }
  return out.sort((a, b) => b.times - a.times || b.at - a.at);
}
