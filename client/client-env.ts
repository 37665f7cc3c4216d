// The environment a job gets by default: the caller's own, as when running a command in a
// shell — not the daemon's, which is whatever it was autostarted with. procd's own job markers
// are left out: the daemon sets them for the new job.

export function clientEnvironment(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && k !== 'PROCD_JOB_ID' && k !== 'PROCD_INSTANCE') out[k] = v;
  return out;
}
