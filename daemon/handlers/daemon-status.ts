import { PROTOCOL_VERSION, type DaemonStatus } from '../../shared/methods.js';
import { VERSION } from '../../shared/version.js';
import { faults } from '../faults.js';
import type { DaemonContext } from './context.js';

/** daemon.status: pid, version, uptime, where things are, job counts, start-up warnings and whether the shim runs. */
export async function daemonStatus(ctx: DaemonContext): Promise<DaemonStatus> {
  const { ok, interpreter, script, detail, error, fix, kind, why } = await ctx.shim.current();
  return {
    pid: process.pid,
    version: VERSION,
    protocolVersion: PROTOCOL_VERSION,
    startedAt: ctx.startedAt,
    uptimeMs: Date.now() - ctx.startedAt,
    socket: ctx.paths.socket,
    home: ctx.paths.home,
    logFile: ctx.paths.logFile,
    counts: ctx.table.counts(),
    warnings: ctx.warnings,
    supervisedBy: supervisedBy(process.env),
    monitor: { intervalMs: ctx.sampleIntervalMs, lastTickMs: Number(ctx.monitor.lastTickMs.toFixed(2)), ticks: ctx.monitor.ticks },
    events: { seq: ctx.events.lastSeq, subscribers: ctx.events.subscriberCount, droppedSubscribers: ctx.events.droppedSubscribers },
    connections: ctx.connectionCount(),
    shim: { ok, interpreter, script, detail, error, fix, kind, why, ...(ctx.supervisor.launcher.startedBy ? { startedBy: ctx.supervisor.launcher.startedBy } : {}) },
    containment: { kind: ctx.containment.kind, root: ctx.containment.kind === 'cgroup' ? ctx.containment.root : null, why: ctx.containment.why },
    faults: { ...faults },
  };
}

/** systemd sets INVOCATION_ID for the processes of a unit; launchd sets XPC_SERVICE_NAME to the job's label. */
export function supervisedBy(env: NodeJS.ProcessEnv): 'systemd' | 'launchd' | null {
  if (env.INVOCATION_ID && env.PROCD_SIGTERM === 'keep-jobs') return 'systemd';
  if (env.XPC_SERVICE_NAME === 'dev.procd.daemon') return 'launchd';
  return null;
}
