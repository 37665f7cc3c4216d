// The environment entries every process of a job carries from its start: they tie a process to
// its job after it left the job's group, session and tree (setsid + double fork).

export const JOB_MARKER = 'PROCD_JOB_ID';
/** Names the daemon home a job belongs to, so two procd homes never sweep each other's job 3. */
export const INSTANCE_MARKER = 'PROCD_INSTANCE';

/** The exact `KEY=VALUE` entries that mark a process as one of this job's. */
export function markerEntries(target: { jobId: number; instance: string }): string[] {
  return [`${JOB_MARKER}=${target.jobId}`, `${INSTANCE_MARKER}=${target.instance}`];
}
