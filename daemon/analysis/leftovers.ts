// Leftovers and zombies over the period: the jobs' flags of those kinds still raised, or raised or
// cleared within the period (from their flag history, which keeps the last MAX_FLAG_HISTORY).

import type { ProcessProblem } from '../../shared/analyze.js';
import type { ClearedFlag, JobFlag } from '../../shared/job.js';
import type { AnalysisInput } from './input.js';

export function processProblems(input: Pick<AnalysisInput, 'jobs' | 'since'>): { leftovers: ProcessProblem[]; zombies: ProcessProblem[] } {
  const leftovers: ProcessProblem[] = [];
  const zombies: ProcessProblem[] = [];
  for (const job of input.jobs) {
    const flags: (JobFlag | ClearedFlag)[] = [...job.flags, ...job.flagHistory];
    for (const f of flags) {
      if (f.kind !== 'leftovers' && f.kind !== 'zombie') continue;
      const clearedAt = 'clearedAt' in f ? f.clearedAt : null;
      if (clearedAt !== null && clearedAt < input.since) continue;
      const item: ProcessProblem = { jobId: job.id, name: job.name, run: null, kind: f.kind, pids: f.pids, detail: f.detail, raisedAt: f.raisedAt, clearedAt };
      (f.kind === 'leftovers' ? leftovers : zombies).push(item);
    }
  }
  // Still raised first, then the latest.
  const order = (a: ProcessProblem, b: ProcessProblem) => Number(a.clearedAt !== null) - Number(b.clearedAt !== null) || b.raisedAt - a.raisedAt;
  return { leftovers: leftovers.sort(order), zombies: zombies.sort(order) };
}
