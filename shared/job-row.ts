// One row of `procd ls` (method `rows`): a job summary with only the fields the table reads. A
// list answer carried every job's output figures, flag history, directory, cgroup, limits and
// settings, and every earlier run of a restarted job: ~1 KB a job, which a short-lived CLI then
// parses and keeps (for 100 jobs it was what pushed `procd ls` into a garbage collection).

import type { JobSummary } from './job.js';

type RowFields = 'id' | 'name' | 'state' | 'pendingKill' | 'flags' | 'resources' | 'runs' | 'probes' | 'standing' | 'afterMet' | 'progress' | 'owner' | 'ports' | 'health' | 'eta';
type RowSpecFields = 'kind' | 'command' | 'commandShortened' | 'restart' | 'probes' | 'group' | 'priority' | 'after';

/** What a row shows: `runs.earlier` holds only the last earlier run (the EXIT of a job waiting to restart); `runs.restarts` counts them all. */
export type JobRow = Pick<JobSummary, RowFields> & { spec: Pick<JobSummary['spec'], RowSpecFields> };

/** The row of a summary (pure; the daemon's `rows` answers these). */
export function rowOf(s: JobSummary): JobRow {
  const { spec } = s;
  return {
    id: s.id,
    name: s.name,
    state: s.state,
    pendingKill: s.pendingKill,
    flags: s.flags,
    resources: s.resources,
    spec: {
      kind: spec.kind,
      command: spec.command,
      ...(spec.commandShortened ? { commandShortened: spec.commandShortened } : {}),
      ...(spec.restart ? { restart: spec.restart } : {}),
      ...(spec.probes ? { probes: spec.probes } : {}),
      ...(spec.group !== undefined ? { group: spec.group } : {}),
      ...(spec.priority !== undefined ? { priority: spec.priority } : {}),
      ...(spec.after ? { after: spec.after } : {}),
    },
    ...(s.runs ? { runs: { ...s.runs, earlier: s.runs.earlier.slice(-1) } } : {}),
    ...(s.probes ? { probes: s.probes } : {}),
    ...(s.standing ? { standing: s.standing } : {}),
    ...(s.afterMet ? { afterMet: s.afterMet } : {}),
    ...(s.progress ? { progress: s.progress } : {}),
    ...(s.owner ? { owner: s.owner } : {}),
    ...(s.ports ? { ports: s.ports } : {}),
    ...(s.health ? { health: s.health } : {}),
    ...(s.eta ? { eta: s.eta } : {}),
  };
}
