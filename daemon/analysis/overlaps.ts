// Runs of the same command that ran at the same time within the period (from the history): a job
// started the command in the same directory while another job's run of it still ran. One pass over
// the runs in the order the history gives them (by end): a run overlaps an earlier-ended run of its
// command exactly when it started before the latest of those ended, which is the one just before it.
// Two runs whose jobs the user gave names are meant to run side by side (names.ts): a run the user
// named is only compared with the earlier runs procd named.

import type { Overlap } from '../../shared/analyze.js';
import { commandSignature } from '../../shared/history.js';
import { trackedCommand } from './commands.js';
import type { AnalysisInput } from './input.js';
import { runRefAt } from './input.js';
import { defaultNameOf, freeNameFor, isDefaultName } from './names.js';
import { runTable, type RunTable } from './runs.js';

/** Runs by index into the table. */
interface Acc {
  /** The run of this command that ended last so far (also its latest run: the order is by end). */
  prev: number;
  /** The same among runs procd named (-1: none yet). */
  prevUnnamed: number;
  /** procd's name for the command. */
  base: string;
  times: number;
  latest: [number, number] | null;
}

/** `runs` oldest first by end (HistoryReader.runsSince); `jobs`: whose names a suggested name must not take. */
export function overlaps(input: Pick<AnalysisInput, 'jobs' | 'runs'>): Overlap[] {
  const runs = runTable(input.runs);
  const bySig = new Map<string, Acc>();
  for (let i = 0; i < runs.length; i++) {
    const signature = runs.signature(i);
    let acc = bySig.get(signature);
    if (!acc) {
      const base = defaultNameOf(trackedCommand(signature, runs.command(i), runs.cwd(i)));
      bySig.set(signature, (acc = { prev: -1, prevUnnamed: -1, base, times: 0, latest: null }));
    }
    const unnamed = isDefaultName(runs.name(i), acc.base);
    // Runs of one job never overlap (restarts follow each other): a restart is not a second start.
    const other = unnamed ? acc.prev : acc.prevUnnamed;
    const startedAt = runs.startedAt(i);
    if (other >= 0 && startedAt < runs.endedAt(other) && runs.jobId(i) !== runs.jobId(other)) {
      acc.times++;
      acc.latest = startedAt >= runs.startedAt(other) ? [other, i] : [i, other];
    }
    acc.prev = i;
    if (unnamed) acc.prevUnnamed = i;
  }
  const found = [...bySig].filter(([, a]) => a.latest);
  if (!found.length) return [];
  const out = found.map(([signature, a]) => {
    const [first, second] = a.latest!;
    const last = a.prev;
    return { base: a.base, overlap: { signature, command: runs.command(last), cwd: runs.cwd(last), name: '', times: a.times, latest: [runRefAt(runs, first), runRefAt(runs, second)], at: runs.startedAt(second) } };
  });
  out.sort((x, y) => y.overlap.times - x.overlap.times || y.overlap.at - x.overlap.at);
  // Named in that order (the first ones are recommended): a name suggested for one command is taken for the next.
  const taken = namesTaken(input.jobs, runs);
  return out.map(({ base, overlap }): Overlap => {
    const name = freeNameFor(overlap.signature, overlap.cwd, base, taken);
    taken.set(name, overlap.signature);
    return { ...overlap, name };
  });
}

/** Every name a job or run had: the signature of its command, null when several commands had it. */
function namesTaken(jobs: AnalysisInput['jobs'], runs: RunTable): Map<string, string | null> {
  const taken = new Map<string, string | null>();
  const add = (name: string, signature: string) => {
    const had = taken.get(name);
    if (had === undefined) taken.set(name, signature);
    else if (had !== signature) taken.set(name, null);
  };
  for (let i = 0; i < runs.length; i++) add(runs.name(i), runs.signature(i));
  for (const job of jobs) add(job.name, commandSignature(job.spec.command, job.spec.cwd));
  return taken;
}
