// What every handler can reach: the job table, the supervisor and facts about this daemon.

import type { AuditLog } from '../audit/audit-log.js';
import type { TimelineStore } from '../timeline/timeline-store.js';
import type { JobQueue } from '../queue/job-queue.js';
import type { ProcdPaths } from '../../shared/paths.js';
import type { EventBus } from '../events/event-bus.js';
import type { CleanupDefaults } from '../jobs/cleanup.js';
import type { JobTable } from '../jobs/job-table.js';
import type { Supervisor } from '../jobs/supervisor.js';
import type { Monitor } from '../monitor/monitor.js';
import type { ProgressTracker } from '../progress/tracker.js';
import type { Containment } from '../cgroup/containment.js';
import type { ShimHealth } from '../shim-check.js';
import type { StateStore } from '../store/state-store.js';
import type { HistoryStore } from '../history/history-store.js';
import type { HistoryReader } from '../history/reader.js';
import type { DaemonMetrics } from '../metrics/daemon-metrics.js';

export interface DaemonContext {
  table: JobTable;
  supervisor: Supervisor;
  monitor: Monitor;
  /** The queue: groups, admission (daemon/queue/). */
  queue: JobQueue;
  events: EventBus;
  /** Progress reports and markers of running jobs (issue 14). */
  progress: ProgressTracker;
  store: StateStore;
  /** Every finished run (issue 14): runTableSince and baseline for the analysers and trends, recent() and size for `procd history`. */
  history: HistoryReader & Pick<HistoryStore, 'recent' | 'size' | 'tally' | 'runTableSince'>;
  /** The audit log of calls that act on jobs (procd audit). */
  audit: AuditLog;
  /** Each job's timeline (status --timeline). */
  timelines: TimelineStore;
  paths: ProcdPaths;
  sampleIntervalMs: number;
  cleanupDefaults: CleanupDefaults;
  startedAt: number;
  warnings: string[];
  /** Whether the job shim can run (checked at start, again while it fails). */
  shim: ShimHealth;
  /** How jobs are contained, chosen at start. */
  containment: Containment;
  /** RPC latency and restarts counted as the daemon runs (procd metrics). */
  metrics: DaemonMetrics;
  /** Clients connected right now. */
  connectionCount(): number;
  /** Begins a graceful stop once the current answer has been sent. */
  requestStop(keepJobs: boolean): Promise<number>;
}
