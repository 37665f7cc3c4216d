#!/usr/bin/env node
// Entry point of the daemon process (`procd daemon run` and autostart both run this file).
// Exit codes: 0 stopped cleanly, 3 another daemon already owns this home, 1 failed to start.

import { parseDuration, parseSize } from '../shared/duration.js';
import { startDaemon, type DaemonOptions } from './daemon.js';
import { AlreadyRunning } from './lifecycle/instance-lock.js';

export const EXIT_ALREADY_RUNNING = 3;

function optionsFromEnv(env: NodeJS.ProcessEnv): DaemonOptions {
  const options: DaemonOptions = {};
  const grace = env.PROCD_GRACE ? parseDuration(env.PROCD_GRACE) : null;
  if (grace !== null) options.defaultGraceMs = grace;
  const maxOutput = env.PROCD_MAX_OUTPUT ? parseSize(env.PROCD_MAX_OUTPUT) : null;
  if (maxOutput !== null) options.defaultMaxOutputBytes = maxOutput;
  const stuck = env.PROCD_STUCK_AFTER ? parseDuration(env.PROCD_STUCK_AFTER) : null;
  if (stuck !== null) options.defaultStuckAfterMs = stuck;
  const interval = env.PROCD_SAMPLE_INTERVAL ? parseDuration(env.PROCD_SAMPLE_INTERVAL) : null;
  if (interval !== null && interval > 0) options.sampleIntervalMs = interval;
  if (env.PROCD_AUTO_CLEANUP !== undefined) {
    const off = ['0', 'false', 'off', 'no'].includes(env.PROCD_AUTO_CLEANUP.toLowerCase());
    options.autoCleanupDelayMs = off ? null : (parseDuration(env.PROCD_AUTO_CLEANUP) ?? 2000);
  }
  const retention = env.PROCD_RETENTION ? parseDuration(env.PROCD_RETENTION) : null;
  if (retention !== null) options.retentionMs = retention;
  const thresholds: NonNullable<DaemonOptions['thresholds']> = {};
  const num = (name: string) => (env[name] !== undefined && Number.isFinite(Number(env[name])) ? Number(env[name]) : undefined);
  const cpu = num('PROCD_CPU_THRESHOLD');
  if (cpu !== undefined) thresholds.cpuPercent = cpu;
  const cpuSamples = num('PROCD_CPU_SAMPLES');
  if (cpuSamples !== undefined) thresholds.cpuSamples = cpuSamples;
  const mem = num('PROCD_MEMORY_FRACTION');
  if (mem !== undefined) thresholds.memoryFraction = mem;
  const zombie = env.PROCD_ZOMBIE_AFTER ? parseDuration(env.PROCD_ZOMBIE_AFTER) : null;
  if (zombie !== null) thresholds.zombieAfterMs = zombie;
  const maxRss = env.PROCD_MAX_RSS ? parseSize(env.PROCD_MAX_RSS) : null;
  if (maxRss !== null) thresholds.maxRssBytes = maxRss;
  const maxCpu = num('PROCD_MAX_CPU');
  if (maxCpu !== undefined) thresholds.maxCpuPercent = maxCpu;
  options.thresholds = thresholds;
  return options;
}

export async function runDaemon(): Promise<number> {
  let daemon;
  try {
    daemon = await startDaemon(optionsFromEnv(process.env));
  } catch (err) {
    if (err instanceof AlreadyRunning) {
      process.stderr.write(`procd: ${err.message}\n`);
      return EXIT_ALREADY_RUNNING;
    }
    process.stderr.write(`procd: daemon failed to start: ${(err as Error).message}\n`);
    return 1;
  }
  const { logger } = daemon;
  // SIGTERM stops the jobs too, unless the service manager asked us not to (PROCD_SIGTERM=keep-jobs):
  // then a `systemctl restart` is an upgrade that keeps every job running.
  const keepOnTerm = process.env.PROCD_SIGTERM === 'keep-jobs';
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    process.on(sig, () => {
      logger.info({ signal: sig, keepJobs: sig === 'SIGTERM' && keepOnTerm }, 'signal received');
      void daemon.stop(sig === 'SIGTERM' && keepOnTerm);
    });
  }
  process.on('SIGHUP', () => logger.info('SIGHUP ignored'));
  // A bug in one handler must not take every job's supervisor down with it. Once the log is
  // closed (or if logging itself fails) the report goes to stderr instead: a handler that throws
  // here would re-enter itself.
  let logOpen = true;
  const report = (what: string, err: unknown) => {
    try {
      if (logOpen) return void logger.error({ err }, what);
    } catch {
      // fall through to stderr
    }
    process.stderr.write(`procd: ${what}: ${(err as Error)?.stack ?? String(err)}\n`);
  };
  process.on('uncaughtException', (err) => report('uncaught exception', err));
  process.on('unhandledRejection', (err) => report('unhandled rejection', err));
  await daemon.stopped;
  logOpen = false;
  return 0;
}

const isEntry = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isEntry) {
  runDaemon().then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`procd: ${(err as Error).stack ?? String(err)}\n`);
      process.exit(1);
    },
  );
}
