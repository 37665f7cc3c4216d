// `kill --port PORT`: which jobs to stop for a port, decided from who holds it (ports/holders.ts),
// then (with `adopt`) adopting the processes procd does not supervise so the one kill procedure
// stops everything.

import { ErrorCode, ProcdError } from '../../shared/errors.js';
import type { JobId } from '../../shared/job.js';
import { portText, type PortProtocol } from '../../shared/ports.js';
import type { PortHolder } from './holders.js';

export type PortKillPlan =
  | { kind: 'free' }
  /** Holders procd does not supervise, and `adopt` was not given (or they are not the user's to adopt). */
  | { kind: 'refused'; holders: { pid: number | null; command: string | null; uid: number }[]; adoptable: boolean }
  | { kind: 'stop'; jobs: JobId[]; adopt: number[] };

/** What `kill --port` does, from the holders of every listening socket found (TCP and UDP ports of one number are different ports). */
export function planPortKill(rows: readonly PortHolder[], port: number, protocol: PortProtocol, adopt: boolean): PortKillPlan {
  const on = rows.filter((r) => r.port === port && r.protocol === protocol);
  if (!on.length) return { kind: 'free' };
  const jobs = [...new Set(on.flatMap((r) => (r.job ? [r.job.id] : [])))];
  const foreign = on.filter((r) => r.job === null);
  const unseen = foreign.some((r) => r.pid === null);
  if (foreign.length && (!adopt || unseen)) return { kind: 'refused', holders: foreign.map((r) => ({ pid: r.pid, command: r.command, uid: r.uid })), adoptable: !unseen };
  return { kind: 'stop', jobs, adopt: [...new Set(foreign.flatMap((r) => (r.pid === null ? [] : [r.pid])))] };
}

/** The error for a plan that stops nothing. */
export function portKillError(plan: Exclude<PortKillPlan, { kind: 'stop' }>, port: number, protocol: PortProtocol = 'tcp'): ProcdError {
  if (plan.kind === 'free') return new ProcdError(ErrorCode.PortNotListening, `nothing listens on ${portText({ port, protocol })}`, { port, protocol });
  const who = plan.holders.map((h) => (h.pid === null ? 'a process procd cannot see (another user\'s, or outside its view)' : `pid ${h.pid}${h.command ? ` (${h.command.slice(0, 120)})` : ''}`)).join(', ');
  const fix = plan.adoptable ? '; add --adopt (adopt: true) to adopt it and stop it, or stop it yourself' : ': procd can only stop processes of yours';
  return new ProcdError(ErrorCode.PortNotSupervised, `port ${port} is held by ${who}, which procd does not supervise${fix}`, { port, holders: plan.holders });
}
