#!/usr/bin/env node
// Entry point of the daemon process (`procd daemon run` and autostart both run this file).
// Exit codes: 0 stopped cleanly, 3 another daemon already owns this home, 1 failed to start,
// 70 an uncaught exception (its jobs keep running; see daemon/faults.ts).

import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseDuration, parseSize } from '../shared/duration.js';
import { resolvePaths } from '../shared/paths.js';
import type { DaemonOptions, RunningDaemon } from './daemon.js';
import { describeError, EXIT_UNCAUGHT, faults, noteRejection, raiseTestFault, takeCrashFile, writeCrashFile } from './faults.js';
import { acquireInstanceLock, AlreadyRunning } from './lifecycle/instance-lock.js';
import { mapErrorStack } from './stack-map.js';
import { applyV8Flags, v8FlagsFromEnv } from './v8-flags.js';

export const EXIT_ALREADY_RUNNING = 3;

/** The file this code runs from: the daemon's bundle (CommonJS, bundle-daemon.mjs), else this ES module. */
const CODE_FILE = typeof __filename === 'string' ? __filename : fileURLToPath(import.meta.url);

/**
 * The daemon's configuration from its environment. A value that does not parse is not silently
 * ignored: the default is used and a warning says so (logged, and shown by `procd daemon status`).
 */
export function optionsFromEnv(env: NodeJS.ProcessEnv): DaemonOptions {
  const warnings: string[] = [];
  const options: DaemonOptions = { configWarnings: warnings };
  const read = <T>(name: string, parse: (text: string) => T | null, what: string): T | undefined => {
    const text = env[name];
    if (text === undefined || text === '') return undefined;
    const value = parse(text);
    if (value === null) warnings.push(`${name}=${text} is not ${what}; the default is used`);
    return value ?? undefined;
  };
  const number = (min: number, max: number) => (text: string) => {
    const n = Number(text);
    return Number.isFinite(n) && n >= min && n <= max ? n : null;
  };
  const positive = (parse: (text: string) => number | null) => (text: string) => {
    const n = parse(text);
    return n !== null && n > 0 ? n : null;
  };

  const grace = read('PROCD_GRACE', parseDuration, 'a duration (e.g. 5s)');
  if (grace !== undefined) options.defaultGraceMs = grace;
  const maxOutput = read('PROCD_MAX_OUTPUT', positive(parseSize), 'a size (e.g. 128m)');
  if (maxOutput !== undefined) options.defaultMaxOutputBytes = maxOutput;
  const stuck = read('PROCD_STUCK_AFTER', parseDuration, 'a duration (0 disables)');
  if (stuck !== undefined) options.defaultStuckAfterMs = stuck;
  const interval = read('PROCD_SAMPLE_INTERVAL', positive(parseDuration), 'a positive duration (e.g. 2s)');
  if (interval !== undefined) options.sampleIntervalMs = interval;
  if (env.PROCD_AUTO_CLEANUP !== undefined && env.PROCD_AUTO_CLEANUP !== '') {
    const off = ['0', 'false', 'off', 'no'].includes(env.PROCD_AUTO_CLEANUP.toLowerCase());
    const delay = off ? null : read('PROCD_AUTO_CLEANUP', parseDuration, '"off" or a delay (e.g. 2s)');
    options.autoCleanupDelayMs = off ? null : (delay ?? 2000);
  }
  const retention = read('PROCD_RETENTION', parseDuration, 'a duration (e.g. 7d)');
  if (retention !== undefined) options.retentionMs = retention;
  const maxRecords = read('PROCD_MAX_RECORDS', number(1, 10_000_000), 'a record count');
  if (maxRecords !== undefined) options.maxRecords = Math.floor(maxRecords);

  const thresholds: NonNullable<DaemonOptions['thresholds']> = {};
  const cpu = read('PROCD_CPU_THRESHOLD', number(1, 100_000), 'a CPU percentage of one core');
  if (cpu !== undefined) thresholds.cpuPercent = cpu;
  const cpuSamples = read('PROCD_CPU_SAMPLES', number(1, 1000), 'a sample count');
  if (cpuSamples !== undefined) thresholds.cpuSamples = Math.floor(cpuSamples);
  const mem = read('PROCD_MEMORY_FRACTION', number(0.01, 1), 'a fraction between 0.01 and 1');
  if (mem !== undefined) thresholds.memoryFraction = mem;
  const zombie = read('PROCD_ZOMBIE_AFTER', parseDuration, 'a duration');
  if (zombie !== undefined) thresholds.zombieAfterMs = zombie;
  const maxRss = read('PROCD_MAX_RSS', parseSize, 'a size');
  if (maxRss !== undefined) thresholds.maxRssBytes = maxRss;
  const maxCpu = read('PROCD_MAX_CPU', number(0, 100_000), 'a CPU percentage');
  if (maxCpu !== undefined) thresholds.maxCpuPercent = maxCpu;
  const sink = read('PROCD_TIME_SINK_FACTOR', number(1, 1000), 'a factor (e.g. 2)');
  if (sink !== undefined) thresholds.timeSinkFactor = sink;
  const sinkHigh = read('PROCD_TIME_SINK_HIGH_FACTOR', number(1, 1000), 'a factor (e.g. 3)');
  if (sinkHigh !== undefined) thresholds.timeSinkHighFactor = sinkHigh;
  options.thresholds = thresholds;

  // The queue (issue 13): a global limit, the aging step, resource-aware admission (off by default).
  const maxRunning = read('PROCD_MAX_RUNNING', number(1, 1_000_000), 'a job count');
  const aging = read('PROCD_QUEUE_AGING', positive(parseDuration), 'a positive duration (e.g. 30s)');
  const minMemory = read('PROCD_ADMIT_MIN_MEMORY', positive(parseSize), 'a size (e.g. 1g)');
  const maxLoad = read('PROCD_ADMIT_MAX_LOAD', number(0.01, 1000), 'a load per core (e.g. 1.5)');
  options.queue = {
    ...(maxRunning !== undefined ? { maxRunning: Math.floor(maxRunning) } : {}),
    ...(aging !== undefined ? { agingStepMs: aging } : {}),
    ...(minMemory !== undefined ? { admitMinMemoryBytes: minMemory } : {}),
    ...(maxLoad !== undefined ? { admitMaxLoadPerCore: maxLoad } : {}),
  };
  // The history (issue 14): bounds by count and age.
  const historyRuns = read('PROCD_HISTORY_MAX_RUNS', number(1, 10_000_000), 'a run count');
  const historyAge = read('PROCD_HISTORY_MAX_AGE', positive(parseDuration), 'a positive duration (e.g. 30d)');
  options.history = {
    ...(historyRuns !== undefined ? { maxRuns: Math.floor(historyRuns) } : {}),
    ...(historyAge !== undefined ? { maxAgeMs: historyAge } : {}),
  };
  // The audit log (issue 14): rotated at this size, this many older files kept.
  const auditMax = read('PROCD_AUDIT_MAX_BYTES', positive(parseSize), 'a size (e.g. 4m)');
  const auditKeep = read('PROCD_AUDIT_KEEP', number(1, 100), 'a file count from 1 to 100');
  options.audit = {
    ...(auditMax !== undefined ? { maxBytes: auditMax } : {}),
    ...(auditKeep !== undefined ? { keep: Math.floor(auditKeep) } : {}),
  };
  return options;
}

export async function runDaemon(): Promise<number> {
  let daemon: RunningDaemon;
  // First, so that V8 runs the whole daemon with them (daemon/v8-flags.ts says why).
  const v8 = v8FlagsFromEnv(process.env);
  applyV8Flags(v8.flags);
  try {
    // The lock first, the daemon's modules after: when many clients autostart at once, each
    // losing daemon exits having loaded almost nothing (~0.1 s of CPU instead of ~0.35 s).
    const paths = resolvePaths();
    mkdirSync(paths.home, { recursive: true, mode: 0o700 });
    const lock = await acquireInstanceLock(paths.home);
    const { startDaemon } = await import('./daemon.js');
    const options = optionsFromEnv(process.env);
    if (v8.warning) options.configWarnings?.push(v8.warning);
    daemon = await startDaemon({ ...options, paths, lock, v8Flags: v8.flags, codeFile: CODE_FILE });
  } catch (err) {
    if (err instanceof AlreadyRunning) {
      process.stderr.write(`procd: ${err.message}\n`);
      return EXIT_ALREADY_RUNNING;
    }
    process.stderr.write(`procd: daemon failed to start: ${(err as Error).message}\n`);
    return 1;
  }
  const { logger, paths } = daemon;
  faults.previousCrash = takeCrashFile(paths.home);
  if (faults.previousCrash) logger.warn({ previousCrash: faults.previousCrash }, 'the previous daemon ended on an uncaught exception (its fatal log line has the stack); its running jobs were re-adopted');
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
  if (process.env.PROCD_TEST_FAULTS === '1') process.on('SIGUSR2', () => raiseTestFault(paths.home));

  // Errors nothing caught: the policy is in daemon/faults.ts (and the README). Once the log is
  // closed, or if logging itself fails, the report goes to stderr: a handler that throws here
  // would re-enter itself.
  let logOpen = true;
  const log = (level: 'error' | 'fatal', what: string, err: unknown): boolean => {
    try {
      if (logOpen && daemon.logHealthy()) return (logger[level]({ err }, what), true);
    } catch {
      // fall through to stderr
    }
    return false;
  };
  const toStderr = (what: string, err: unknown) => process.stderr.write(`procd: ${what}: ${describeError(err).stack}\n`);
  process.on('unhandledRejection', (err) => {
    mapErrorStack(err);
    noteRejection(err);
    if (!log('error', 'unhandled rejection: the daemon keeps running (counted in daemon status)', err)) toStderr('unhandled rejection', err);
  });
  let crashing = false;
  process.on('uncaughtException', (err) => {
    if (crashing) return; // a second one while the first is being written out
    crashing = true;
    mapErrorStack(err);
    writeCrashFile(paths.home, err);
    const what = `uncaught exception: the daemon exits (code ${EXIT_UNCAUGHT}) and leaves its jobs running for the next daemon`;
    toStderr(what, err); // stderr too: autostart.log or the service manager's journal
    const exit = () => process.exit(EXIT_UNCAUGHT);
    if (!log('fatal', what, err)) return exit();
    setTimeout(exit, 1000); // the log's flush has a second to finish
    try {
      logger.flush(() => exit());
    } catch {
      exit();
    }
  });
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
