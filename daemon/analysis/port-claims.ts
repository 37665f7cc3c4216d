// Two live jobs wanting one port (issue 15 §3): one listens on it (the monitor's `ports`) and
// another listens on it too or declares it — `PORT` in its environment, or the port of a `listen`,
// `tcp` or `http` probe (all TCP). A port is a protocol and a number: TCP 5353 and UDP 5353 do not
// conflict. Two jobs that only declare one port, neither listening, are not reported: PORT is often
// inherited from the user's shell, and nothing is in anyone's way yet. Reported as port conflicts
// whose `claim` says how the later job wants the port; the EADDRINUSE runs of the history are the
// other kind (duplicates.ts).

import type { JobRef, PortConflict } from '../../shared/analyze.js';
import { hasLiveProcess, type Job } from '../../shared/job.js';
import type { PortProtocol } from '../../shared/ports.js';
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

/** Live jobs that want a port (protocol and number) another live job listens on, the oldest listener as holder. */
export function portClaims(input: Pick<AnalysisInput, 'jobs' | 'now'>): PortConflict[] {
  const byPort = new Map<string, { protocol: PortProtocol; port: number; claims: Claim[] }>();
  const add = (protocol: PortProtocol, port: number, claim: Claim) => {
    const key = `${protocol}/${port}`;
    const list = (byPort.get(key) ?? byPort.set(key, { protocol, port, claims: [] }).get(key)!).claims;
    if (!list.some((c) => c.job.id === claim.job.id)) list.push(claim);
  };
  const live = input.jobs.filter((j) => hasLiveProcess(j.state)).sort((a, b) => a.id - b.id);
  for (const job of live) for (const p of job.ports ?? []) add(p.protocol, p.port, { job, how: 'listening' });
  for (const job of live) {
    const port = declaredPort(job);
    if (port !== null) add('tcp', port, { job, how: 'declared' });
  }
  const out: PortConflict[] = [];
  for (const { protocol, port, claims } of byPort.values()) {
    const listener = claims.find((c) => c.how === 'listening');
    if (claims.length < 2 || !listener) continue;
    const holders = [{ ...jobRef(listener.job), live: true }];
    for (const c of claims) {
      if (c.job.id === holders[0]!.jobId) continue;
      const ref: JobRef = jobRef(c.job);
      out.push({ ...ref, port: String(port), protocol, at: input.now, holders, claim: c.how });
    }
  }
  return out.sort((a, b) => Number(a.port) - Number(b.port) || a.jobId - b.jobId);
}
