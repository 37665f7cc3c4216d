// A job as the MCP tools answer it in lists (list, start, wait, adopt): what an agent acts on and
// nothing more, so that a list of fifty jobs stays within its context. `status` gives the whole
// record. Schema (for the tools' output schemas) and the pure function that makes one.

import * as v from 'valibot';
import { commandText, isTerminal, type JobState, type JobSummary, type JobView } from '../../shared/job.js';
import { clip } from './summaries.js';

export const JobBriefSchema = v.object({
  id: v.number(),
  name: v.string(),
  kind: v.picklist(['service', 'task']),
  /** queued, starting, running, paused, completed, failed, killed, timed_out or lost. */
  state: v.string(),
  pid: v.nullable(v.number()),
  /** Its readiness condition passed (null: it has none). */
  ready: v.nullable(v.boolean()),
  /** For an ended job: how it ended (exit, signal, limit, …), its exit code and signal. */
  outcome: v.nullable(v.string()),
  exitCode: v.nullable(v.number()),
  signal: v.nullable(v.string()),
  command: v.string(),
  cwd: v.string(),
  tags: v.array(v.string()),
  /** Who started it (the `owner` that list, kill and cleanup select by); null: not recorded. */
  owner: v.nullable(v.string()),
  /** Only from `start` with `ensure`: true when the live job was answered instead of starting another. */
  reused: v.optional(v.boolean()),
  /** Conditions such as stuck or time_sink (procd analyze explains them). */
  flags: v.array(v.string()),
});
export type JobBrief = v.InferOutput<typeof JobBriefSchema>;

export const JobBriefListSchema = v.object({ jobs: v.array(JobBriefSchema) });

function pidOf(state: JobState): number | null {
  return 'pid' in state && typeof state.pid === 'number' ? state.pid : null;
}

export function jobBrief(job: JobSummary | JobView): JobBrief {
  const s = job.state;
  const ended = isTerminal(s);
  return {
    id: job.id,
    name: job.name,
    kind: job.spec.kind,
    state: s.kind,
    pid: pidOf(s),
    ready: job.spec.probes?.ready ? (job.probes?.ready ?? null) !== null : null,
    outcome: ended ? s.outcome : null,
    exitCode: ended ? s.exitCode : null,
    signal: ended ? (s.signal?.name ?? null) : null,
    command: clip(commandText(job.spec.command), 300),
    cwd: job.spec.cwd,
    tags: job.tags,
    owner: job.owner?.name ?? null,
    flags: job.flags.map((f) => f.kind),
  };
}
