// The metric families of `metrics` (issue 16), decided from plain figures: the handler gathers them,
// this pure function shapes them. Label cardinality is bounded: states and flag kinds are closed
// lists, methods are the table's, and per-job gauges cover at most `topJobs` live jobs (the busiest
// by CPU, then memory), labelled by id and name only.

import { FLAG_KINDS, isLive, JOB_STATE_KINDS, type Job } from '../../shared/job.js';
import type { HistogramSample, MetricFamily, MetricSample } from '../../shared/metrics.js';

export interface MetricsInput {
  jobs: readonly Job[];
  topJobs: number;
  restarts: number;
  rpc: HistogramSample[];
  droppedSubscribers: number;
  unsavedEvents: number;
  connections: number;
  daemon: { rssBytes: number; cpuSeconds: number; startTimeSeconds: number };
  build: { version: string; node: string; protocol: string };
}

const one = (value: number): MetricSample[] => [{ labels: {}, value }];

export function metricFamilies(input: MetricsInput): MetricFamily[] {
  const byState = new Map<string, number>(JOB_STATE_KINDS.map((k) => [k, 0]));
  const byFlag = new Map<string, number>(FLAG_KINDS.map((k) => [k, 0]));
  for (const job of input.jobs) {
    byState.set(job.state.kind, (byState.get(job.state.kind) ?? 0) + 1);
    // A job counts once per kind it is flagged with.
    for (const kind of new Set(job.flags.map((f) => f.kind))) byFlag.set(kind, (byFlag.get(kind) ?? 0) + 1);
  }
  const measured = busiest(input.jobs, input.topJobs);
  const jobLabels = (job: Job) => ({ job: String(job.id), name: job.name });
  return [
    { name: 'procd_up', help: 'Whether the procd daemon answered (1) or not (0).', type: 'gauge', samples: one(1) },
    { name: 'procd_build_info', help: "procd's version, the Node.js version running the daemon and the protocol version.", type: 'gauge', samples: [{ labels: input.build, value: 1 }] },
    { name: 'procd_jobs', help: 'Jobs by state (the records the daemon keeps, finished ones included).', type: 'gauge', samples: [...byState].map(([state, value]) => ({ labels: { state }, value })) },
    { name: 'procd_jobs_flagged', help: 'Jobs with a flag of this kind raised now.', type: 'gauge', samples: [...byFlag].map(([kind, value]) => ({ labels: { kind }, value })) },
    { name: 'procd_restarts_total', help: 'Job restarts (by a restart policy, procd restart, or after a reboot) since the daemon started.', type: 'counter', samples: one(input.restarts) },
    // Prometheus' base units: a ratio (1 = one core busy), not percent; and the run's CPU time as a counter for rate().
    { name: 'procd_job_cpu_ratio', help: `CPU in use by a live job's whole process tree, in cores (1 = one core busy); the ${input.topJobs} busiest jobs at most.`, type: 'gauge', samples: measured.flatMap(({ job, cpu }) => (cpu === null ? [] : [{ labels: jobLabels(job), value: cpu / 100 }])) },
    { name: 'procd_job_cpu_seconds_total', help: `CPU time a live job's whole process tree used in its current run (starts again at a restart); the ${input.topJobs} busiest jobs at most.`, type: 'counter', samples: measured.flatMap(({ job, cpuTimeMs }) => (cpuTimeMs === undefined ? [] : [{ labels: jobLabels(job), value: cpuTimeMs / 1000 }])) },
    { name: 'procd_job_resident_memory_bytes', help: `Resident memory of a live job's whole process tree; the ${input.topJobs} busiest jobs at most.`, type: 'gauge', samples: measured.map(({ job, rss }) => ({ labels: jobLabels(job), value: rss })) },
    { name: 'procd_jobs_unlisted', help: 'Live jobs with figures left out of the per-job gauges by their bound (procd metrics --top N).', type: 'gauge', samples: one(measuredCount(input.jobs) - measured.length) },
    { name: 'procd_event_subscribers_dropped_total', help: 'Event subscribers disconnected for not reading (their unread events were dropped).', type: 'counter', samples: one(input.droppedSubscribers) },
    { name: 'procd_events_unsaved_total', help: 'Lifecycle events that could not be written to the event log (disk full); they were still sent live.', type: 'counter', samples: one(input.unsavedEvents) },
    { name: 'procd_rpc_duration_seconds', help: 'Time to answer an RPC call, by method (long waits such as wait and logs --follow included).', type: 'histogram', samples: input.rpc },
    { name: 'procd_connections', help: 'Clients connected to the daemon now.', type: 'gauge', samples: one(input.connections) },
    { name: 'process_resident_memory_bytes', help: "The daemon's resident memory.", type: 'gauge', samples: one(input.daemon.rssBytes) },
    { name: 'process_cpu_seconds_total', help: 'CPU time the daemon used (user and system).', type: 'counter', samples: one(input.daemon.cpuSeconds) },
    { name: 'process_start_time_seconds', help: 'When the daemon started, seconds since the epoch.', type: 'gauge', samples: one(input.daemon.startTimeSeconds) },
  ];
}

interface Measured {
  job: Job;
  cpu: number | null;
  cpuTimeMs: number | undefined;
  rss: number;
}

function measuredJobs(jobs: readonly Job[]): Measured[] {
  return jobs.flatMap((job) => {
    const last = isLive(job.state) ? job.resources?.last : null;
    return last ? [{ job, cpu: last.cpuPercent, cpuTimeMs: last.cpuTimeMs, rss: last.rssBytes }] : [];
  });
}

const measuredCount = (jobs: readonly Job[]) => measuredJobs(jobs).length;

/** The `limit` live jobs using the most CPU, then memory; ties by id, so the set is stable. */
export function busiest(jobs: readonly Job[], limit: number): Measured[] {
  return measuredJobs(jobs)
    .sort((a, b) => (b.cpu ?? 0) - (a.cpu ?? 0) || b.rss - a.rss || a.job.id - b.job.id)
    .slice(0, limit);
}
