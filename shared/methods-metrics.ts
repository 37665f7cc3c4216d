// The method table's entry for `metrics` (issue 16, Prometheus), spread into METHOD_SPECS
// (methods.ts), so it is still one table. The families are rendered as text by shared/metrics.ts.

import type { MethodSpec } from './method-spec.js';

/** Per-job gauges are given for at most this many jobs by default (the busiest), to bound a scraper's series. */
export const METRICS_TOP_JOBS_DEFAULT = 20;

export const METRICS_METHOD_SPECS = {
  metrics: {
    doc: `Prometheus metrics as families (shared/metrics.ts renders them as the text exposition format 0.0.4): jobs by state, jobs by flag, restarts, CPU and memory of the \`topJobs\` busiest live jobs (default ${METRICS_TOP_JOBS_DEFAULT}; labelled by job id and name only), subscribers dropped and events not saved, the RPC latency per method (a histogram), the daemon's own memory and CPU, build info.`,
    capability: 'metrics',
    mutates: false,
    idempotent: true,
    stable: false,
    errors: [],
    cli: {
      command: 'metrics',
      positionals: null,
      brief: 'Prometheus metrics, in the text exposition format',
      summary: `Print the daemon's metrics in the Prometheus text exposition format (0.0.4): jobs by state and flag, restarts, per-job CPU and memory of the busiest live jobs (--top N, default ${METRICS_TOP_JOBS_DEFAULT}), RPC latency histogram, dropped subscribers, the daemon's memory, build info. --json gives the same as families.`,
      usage: 'procd metrics [--top N] [--json]',
      options: {
        top: { type: 'string', arg: 'N', help: `per-job CPU and memory for at most N jobs, the busiest (default ${METRICS_TOP_JOBS_DEFAULT}; 0 for none)` },
      },
      examples: ['procd metrics', 'procd metrics --top 5 | grep procd_job_', 'procd metrics > /var/lib/node_exporter/textfile/procd.prom'],
    },
  },
} as const satisfies Record<string, MethodSpec>;
