import { PROTOCOL_VERSION, type DaemonStatus } from '../../shared/methods.js';
import { VERSION } from '../../shared/version.js';
import type { DaemonContext } from './context.js';

/** daemon.status: pid, version, uptime, where things are, job counts and start-up warnings. */
export function daemonStatus(ctx: DaemonContext): DaemonStatus {
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
    monitor: { intervalMs: ctx.sampleIntervalMs, lastTickMs: Number(ctx.monitor.lastTickMs.toFixed(2)), ticks: ctx.monitor.ticks },
    events: { seq: ctx.events.lastSeq, subscribers: ctx.events.subscriberCount, droppedSubscribers: ctx.events.droppedSubscribers },
  };
}
