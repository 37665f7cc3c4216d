// Daemon start-up and shutdown: lock, state, re-adoption, socket, signals — in that order, so a
// second daemon never touches the first one's socket or state.

import { createHash } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ErrorCode, ProcdError } from '../shared/errors.js';
import { resolvePaths, type ProcdPaths } from '../shared/paths.js';
import { VERSION } from '../shared/version.js';
import { AuditLog, type AuditLogOptions } from './audit/audit-log.js';
import { auditRecord } from './audit/audit-record.js';
import { EventBus } from './events/event-bus.js';
import { loadAlertSettings } from './alerts/alert-settings.js';
import { startAlerts } from './alerts/alerts-wiring.js';
import { TimelineRecorder } from './timeline/timeline-recorder.js';
import { TimelineStore } from './timeline/timeline-store.js';
import { EventLog } from './events/event-log.js';
import { createHandlers } from './handlers/index.js';
import type { DaemonContext } from './handlers/context.js';
import { JobTable } from './jobs/job-table.js';
import { ShimLauncher } from './jobs/launcher.js';
import { NATIVE_SHIM_PATH } from './jobs/shim-runner.js';
import { Supervisor } from './jobs/supervisor.js';
import { acquireInstanceLock, type InstanceLock } from './lifecycle/instance-lock.js';
import { scanJobDirs } from './lifecycle/job-dirs.js';
import { prepareSocketPath } from './lifecycle/socket-file.js';
import { createLogger, type Logger } from './logger.js';
import { ShimHealth } from './shim-check.js';
import { chooseContainment, probeCgroup } from './cgroup/containment.js';
import { CgroupJanitor } from './cgroup/janitor.js';
import { isTerminal } from '../shared/job.js';
import { Monitor } from './monitor/monitor.js';
import { ProcessSnapshots } from './monitor/job-processes.js';
import { startProbes } from './probes/probes-wiring.js';
import { ProgressTracker } from './progress/tracker.js';
import { GroupStore } from './queue/group-store.js';
import { JobQueue } from './queue/job-queue.js';
import { queueOptions, type QueueSettings } from './queue/queue-settings.js';
import { systemClock } from './jobs/clock.js';
import { DEFAULT_THRESHOLDS, type Thresholds } from './monitor/thresholds.js';
import { SocketServer } from './server/socket-server.js';
import { DaemonMetrics } from './metrics/daemon-metrics.js';
import type { HistorySettings } from './history/settings.js';
import { startHistory } from './history/wiring.js';
import { StateStore } from './store/state-store.js';

export interface DaemonOptions {
  paths?: ProcdPaths;
  defaultGraceMs?: number;
  defaultMaxOutputBytes?: number;
  defaultStuckAfterMs?: number;
  sampleIntervalMs?: number;
  thresholds?: Partial<Thresholds>;
  /** Kill leftovers of finished jobs automatically this long after they end; null turns it off. */
  autoCleanupDelayMs?: number | null;
  retentionMs?: number;
  maxRecords?: number;
  /** Configuration values that did not parse (their defaults are used): logged and shown by `daemon status`. */
  configWarnings?: string[];
  /** The home's instance lock, when the caller took it already (daemon/main.ts does, before loading this module). */
  lock?: InstanceLock;
  /** The V8 flags daemon/main.ts applied (daemon/v8-flags.ts), for the start log line. */
  v8Flags?: string[];
  /** The file the daemon's code runs from (its bundle, or tsc's daemon/main.js), for the start log line. */
  codeFile?: string;
  /** The queue's settings (PROCD_MAX_RUNNING, PROCD_QUEUE_AGING, PROCD_ADMIT_MIN_MEMORY, PROCD_ADMIT_MAX_LOAD). */
  queue?: QueueSettings;
  /** The history's bounds (PROCD_HISTORY_MAX_RUNS, PROCD_HISTORY_MAX_AGE). */
  history?: HistorySettings;
  /** The audit log's rotation (PROCD_AUDIT_MAX_BYTES, PROCD_AUDIT_KEEP). */
  audit?: Pick<AuditLogOptions, 'maxBytes' | 'keep'>;
}

export interface RunningDaemon {
  paths: ProcdPaths;
  logger: Logger;
  /** False once the daemon's log file refused a write: reports must go elsewhere (stderr). */
  logHealthy(): boolean;
  /** Resolves when the daemon has fully stopped. */
  stopped: Promise<void>;
  stop(keepJobs: boolean): Promise<void>;
}

/** A short stable id of this home, carried by its jobs as PROCD_INSTANCE. */
export function instanceId(home: string): string {
  return createHash('sha256').update(home).digest('hex').slice(0, 16);
}

export const DEFAULT_MAX_OUTPUT_BYTES = 128 << 20;
const COMPACT_CHECK_MS = 10_000;

export async function startDaemon(options: DaemonOptions = {}): Promise<RunningDaemon> {
  const paths = options.paths ?? resolvePaths();
  mkdirSync(paths.home, { recursive: true, mode: 0o700 });
  mkdirSync(paths.jobsDir, { recursive: true, mode: 0o700 });
  const lock: InstanceLock = options.lock ?? (await acquireInstanceLock(paths.home));
  const log = await createLogger({ logDir: paths.logDir });
  const { logger, close: closeLogger } = log;
  try {
    return { ...(await startLocked(paths, options, lock, logger, closeLogger)), logHealthy: log.healthy };
  } catch (err) {
    logger.error({ err }, 'daemon failed to start');
    await closeLogger();
    lock.release();
    throw err;
  }
}

async function startLocked(
  paths: ProcdPaths,
  options: DaemonOptions,
  lock: InstanceLock,
  logger: Logger,
  closeLogger: () => Promise<void>,
): Promise<Omit<RunningDaemon, 'logHealthy'>> {
  const startedAt = Date.now();
  // Runs alongside the rest of the start-up; logged either way, awaited before the socket opens.
  const shim = new ShimHealth(logger);
  const shimChecked = shim.refresh();
  const instance = instanceId(paths.home);
  const containment = chooseContainment(process.env, () => probeCgroup(instance));
  const cgroupRoot = containment.kind === 'cgroup' ? containment.root : null;
  logger.info({ containment: containment.kind, why: containment.why }, 'containment chosen');
  const store = new StateStore(paths.stateFile);
  const loaded = store.load();
  const dirs = scanJobDirs(paths.jobsDir, loaded.jobs);
  loaded.nextId = Math.max(loaded.nextId, dirs.nextId);
  if (dirs.orphans.length) {
    loaded.warnings.push(`no record for job(s) ${dirs.orphans.join(', ')} (their files are in ${paths.jobsDir}); their ids are not reused`);
  }
  for (const warning of loaded.warnings) logger.warn({ warning }, 'state problem found at start');
  for (const warning of options.configWarnings ?? []) logger.warn({ warning }, 'configuration problem');
  const table = new JobTable(store, loaded);
  // Events the state machine refuses are expected in races (an exit read from the file and from
  // the channel at once), but never silent.
  table.on('refused', ({ job, event, error }) => logger.info({ job: job.id, state: job.state.kind, event: event.type, error }, 'lifecycle event refused'));
  // The shim chosen at start (native or Perl), forked by the fork server unless PROCD_FORK_SERVER=off.
  const forkServerOff = process.env.PROCD_FORK_SERVER === 'off';
  const launcher = new ShimLauncher(
    () => shim.command(),
    forkServerOff ? null : { binary: NATIVE_SHIM_PATH, logFile: join(dirname(paths.stateFile), 'fork-server.log'), warn: (message) => logger.warn(message) },
  );
  if (forkServerOff) logger.info('PROCD_FORK_SERVER=off: the daemon starts every shim itself');
  else void shimChecked.then(() => launcher.prepare()).catch((err: unknown) => logger.warn({ err }, 'could not start the fork server ahead of the first job'));
  // Before re-adoption: jobs that ended while no daemon ran end now, and their runs are recorded.
  const history = startHistory(join(dirname(paths.stateFile), 'history'), table, logger, options.history);
  // One process-table reader for the monitor and the kill procedure (markers read once per process).
  const snapshots = new ProcessSnapshots(instance, cgroupRoot ?? null);
  const supervisor = new Supervisor(table, store, logger, {
    snapshots,
    jobsDir: paths.jobsDir,
    instance,
    cgroupRoot,
    defaultGraceMs: options.defaultGraceMs ?? 5000,
    defaultMaxOutputBytes: options.defaultMaxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES,
    defaultStuckAfterMs: options.defaultStuckAfterMs ?? 60_000,
    pollMs: 250,
  }, { launcher });
  // The queue (issue 13): groups, priorities, dependencies; it launches through the supervisor.
  const groupStore = new GroupStore(dirname(paths.stateFile));
  const queue = new JobQueue(table, (job) => supervisor.launchQueued(job), groupStore, queueOptions(options.queue), systemClock, logger);
  for (const warning of groupStore.warnings) logger.warn({ warning }, 'queue groups problem found at start');
  supervisor.attachQueue(queue);
  const sampleIntervalMs = options.sampleIntervalMs ?? 2000;
  const graceMs = options.defaultGraceMs ?? 5000;
  const monitor = new Monitor(table, logger, {
    snapshots,
    intervalMs: sampleIntervalMs,
    instance,
    cgroupRoot,
    thresholds: { ...DEFAULT_THRESHOLDS, ...options.thresholds },
    autoCleanupDelayMs: options.autoCleanupDelayMs === undefined ? 2000 : options.autoCleanupDelayMs,
    leftoverCheckDelayMs: 500,
    graceMs,
    refreshOutput: (id) => supervisor.refreshOutput(id),
    baselineOf: (job) => history.baselineOf(job),
    onAdoptedGone: (id) => supervisor.adoptedGone(id),
    onLimitKill: (id, violation) => {
      logger.warn({ job: id, limit: violation.limit, value: violation.value, max: violation.max }, 'over a limit; stopping the job');
      supervisor.stopForLimit(id, violation.limit).catch((err: unknown) => logger.info({ err, job: id }, 'stopping a job over its limit failed (it may have ended already)'));
    },
  });
  const eventLog = new EventLog(dirname(paths.stateFile), { onError: (err, what) => logger.error({ err }, what) });
  for (const warning of eventLog.warnings) logger.warn({ warning }, 'event buffer problem found at start');
  const events = new EventBus(table, monitor, logger, eventLog);
  // Progress reports and stdout markers (issue 14): stdout is scanned for markers once per monitor tick.
  const progress = new ProgressTracker(table, logger, { instance, startedAt });
  // ETAs from history: the learned duration of the job's command.
  progress.baselineOf = (job) => history.baselineOf(job);
  monitor.on('sample', ({ job }) => void progress.scan(job.id));
  events.watchProgress(progress);
  // Alert rules (alerts.json in the home, PROCD_ON_ALERT): their problems are warnings, never fatal.
  const alertSettings = loadAlertSettings(paths.home);
  for (const warning of alertSettings.warnings) logger.warn({ warning }, 'alert settings problem');
  const timelines = new TimelineStore(paths.jobsDir, (err, job) => logger.warn({ err, job }, 'could not add to a job timeline'));
  const timelineRecorder = new TimelineRecorder(timelines, table, events, logger);
  // A job's first run writes in jobs/ID, where its timeline is: a stale one moved aside takes the open file with it.
  launcher.onMovedAside = (dir) => {
    if (dirname(dir) === paths.jobsDir && /^\d+$/.test(basename(dir))) timelines.close(Number(basename(dir)));
  };
  // After the timelines: an alert comes after the event that caused it there too.
  startAlerts(alertSettings, events, table, logger);
  const audit = new AuditLog(dirname(paths.stateFile), {
    ...options.audit,
    onError: (err, what) => logger.error({ err }, what),
    onRecovered: (dropped) => logger.warn({ dropped }, 'the audit log is written again; records were lost meanwhile'),
  });
  // A full disk must not keep the daemon from starting: what could not be saved stays queued in
  // the store and is written with the next change that succeeds.
  const readopted = await supervisor.readopt().catch((err: unknown) => {
    logger.error({ err }, 'could not save the records of re-adopted jobs; they are retried with the next change');
    return { adopted: 0, finished: 0, lost: 0, queued: 0 };
  });
  // `restart always` services the last `daemon stop` stopped run again (daemon/jobs/restarter.ts).
  const resurrected = supervisor.resurrect();
  // Readiness and liveness probes of running jobs (issue 12), re-adopted ones included.
  const probes = startProbes(table, supervisor, monitor.snapshots, logger);
  events.watchProbes(probes);
  // Jobs that waited in the queue when the last daemon stopped get their turn.
  queue.request();
  if (resurrected.length) await table.flush().catch((err: unknown) => logger.error({ err }, 'could not save resurrected services; retried with the next change'));
  // At start: empty cgroups of ended jobs left by a crash go; those of re-adopted jobs stay.
  // Only this instance's root is ever read.
  const janitor = cgroupRoot ? new CgroupJanitor(cgroupRoot, () => table.all()) : null;
  const leftover = janitor?.sweep() ?? [];
  if (leftover.length) logger.info({ cgroups: leftover }, 'removed empty job cgroups left by an earlier daemon');
  janitor?.start(1000);
  // An ended job's cgroup goes as soon as it is empty (else the next sweep retries).
  table.on('change', ({ job }) => {
    if (janitor && isTerminal(job.state)) janitor.sweepSoon();
  });
  monitor.start();
  await store.compact(table.all(), table.nextJobId).catch((err: unknown) => logger.error({ err }, 'start-up snapshot failed'));

  let stopping: Promise<void> | null = null;
  let resolveStopped!: () => void;
  const stopped = new Promise<void>((r) => (resolveStopped = r));
  const compactTimer = setInterval(() => {
    if (store.needsCompaction()) store.compact(table.all(), table.nextJobId).catch((err: unknown) => logger.error({ err }, 'compaction failed'));
  }, COMPACT_CHECK_MS);

  // Every step runs whatever failed before it (a full disk): a daemon that stopped answering but
  // still held the lock would keep the next one from starting.
  const finalize = async () => {
    try {
      clearInterval(compactTimer);
      monitor.stop();
      probes.stop();
      queue.stop();
      janitor?.stop();
      await server.close().catch((err: unknown) => logger.error({ err }, 'closing the socket failed'));
      await history.close().catch((err: unknown) => logger.error({ err }, 'could not save the last history runs'));
      await store.compact(table.all(), table.nextJobId).catch((err: unknown) => logger.error({ err }, 'final snapshot failed'));
      await store.close().catch((err: unknown) => logger.error({ err }, 'could not save the last job records'));
      audit.close();
      // Last: no event is published after it, so the next daemon continues right after this seq.
      try {
        events.close();
      } catch (err) {
        logger.error({ err }, 'could not close the event buffer');
      }
      timelines.closeAll();
      if (process.platform !== 'win32') rmSync(paths.socket, { force: true });
      logger.info({ uptimeMs: Date.now() - startedAt }, 'daemon stopped');
      await closeLogger();
    } finally {
      lock.release();
      resolveStopped();
    }
  };

  const stop = (keepJobs: boolean): Promise<number> => {
    if (stopping) return stopping.then(() => 0);
    logger.info({ keepJobs }, 'daemon stopping');
    events.publish({ kind: 'daemon.shutdown', keepJobs });
    let count = 0;
    stopping = supervisor
      .shutdown(keepJobs)
      .then((n) => {
        count = n;
      })
      .finally(() => {
        // Let the answer to daemon.stop reach the client before the socket closes.
        setTimeout(() => finalize().catch((err: unknown) => process.stderr.write(`procd: stopping failed: ${(err as Error).message}\n`)), 20);
      });
    return stopping.then(() => count);
  };

  const metrics = new DaemonMetrics(table);
  const ctx: DaemonContext = {
    table,
    supervisor,
    monitor,
    queue,
    events,
    progress,
    store,
    history: history.store,
    audit,
    timelines,
    paths,
    startedAt,
    sampleIntervalMs,
    cleanupDefaults: { retentionMs: options.retentionMs ?? 7 * 86_400_000, maxRecords: options.maxRecords ?? 10_000, graceMs },
    warnings: [...(options.configWarnings ?? []), ...loaded.warnings, ...history.store.warnings, ...alertSettings.warnings],
    shim,
    containment,
    metrics,
    connectionCount: () => server.connectionCount,
    requestStop: stop,
  };
  const server = new SocketServer(createHandlers(ctx), logger, undefined, (call, conn) => {
    const record = auditRecord({ ...call, client: { ...conn.identity, connection: conn.connectionId } });
    audit.append(record);
    timelineRecorder.onCall(record);
  }, (method, seconds) => metrics.rpc.record(method, seconds));
  await prepareSocketPath(paths).catch((err: unknown) => {
    throw new ProcdError(ErrorCode.SpawnSetupFailed, (err as Error).message);
  });
  await shimChecked;
  await server.listen(paths.socket);
  logger.info(
    { version: VERSION, socket: paths.socket, home: paths.home, jobs: table.size, ...readopted, ...(options.v8Flags ? { v8Flags: options.v8Flags } : {}), ...(options.codeFile ? { code: options.codeFile } : {}) },
    'daemon started',
  );
  return { paths, logger, stopped, stop: async (keepJobs) => void (await stop(keepJobs)) };
}
