// Two live jobs wanting one port (issue 15 §3): one listens on it (the monitor's `ports`) and
// another declares it — `PORT` in its environment, or the port of a `listen`, `tcp` or `http`
// probe — or two declare the same one before either listens. Reported as port conflicts whose
// `claim` says how the later job wants the port; the EADDRINUSE runs of the history are the
// other kind (duplicates.ts).

import type { JobRef, PortConflict } from '../../shared/analyze.js';
import { hasLiveProcess, type Job } from '../../shared/job.js';
import { PROBE_ROLES } from '../../shared/probes.js';
import { jobRef, type AnalysisInput } from './input.js';

/** The port a job says it will use: PORT in its environment, else the port its probes check (null: none). */
export function declaredPort(job: Job): number | null {
  const env = Number(job.spec.env.PORT);
  if (Number.isInteger(env) && env > 0 && env < 65536) return env;
  for (const role of PROBE_ROLES) {
    const when = job.spec.probes?.[role]?.when;
    if (!when) continue;
    if (when.kind === 'listen' && when.port !== null) return when.port;
    if (when.kind === 'tcp' && isLocal(when.host)) return when.port;
    if (when.kind === 'http') {
      const url = URL.canParse(when.url) ? new URL(when.url) : null;
      if (url && isLocal(url.hostname)) return Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
    }
  }
  return null;
}

function isLocal(host: string): boolean {
  return host === 'localhost' || host === '[::1]' || host === '::1' || host.startsWith('127.') || host === '0.0.0.0';
}

interface Claim {
  job: Job;
  how: 'listening' | 'declared';
}

/** Live jobs that want a port another live job holds (listens on) or wants first, oldest holder first. */
export function portClaims(input: Pick<AnalysisInput, 'jobs' | 'now'>): PortConflict[] {
  const byPort = new Map<number, Claim[]>();
  const add = (port: number, claim: Claim) => {
    const list = byPort.get(port) ?? byPort.set(port, []).get(port)!;
    if (!list.some((c) => c.job.id === claim.job.id)) list.push(claim);
  };
  const live = input.jobs.filter((j) => hasLiveProcess(j.state)).sort((a, b) => a.id - b.id);
  for (const job of live) for (const p of job.ports ?? []) add(p.port, { job, how: 'listening' });
  for (const job of live) {
    const port = declaredPort(job);
    if (port !== null) add(port, { job, how: 'declared' });
  }
  const out: PortConflict[] = [];
  for (const [port, claims] of byPort) {
    if (claims.length < 2) continue;
    const listening = claims.filter((c) => c.how === 'listening');
    const holders = (listening.length ? listening.slice(0, 1) : claims.slice(0, 1)).map((c) => ({ ...jobRef(c.job), live: true }));
    for (const c of claims) {
      if (c.job.id === holders[0]!.jobId) continue;
      const ref: JobRef = jobRef(c.job);
      out.push({ ...ref, port: String(port), at: input.now, holders, claim: c.how });
    }
  }
  return out.sort((a, b) => Number(a.port) - Number(b.port) || a.jobId - b.jobId);
}
