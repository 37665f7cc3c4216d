// The method table's entry for `trends` (issue 14): the history per time bucket. Spread into
// METHOD_SPECS (methods.ts), so it is still one table.

import type { MethodSpec } from './method-spec.js';

export const TRENDS_METHOD_SPECS = {
  trends: {
    doc: 'What happened per time bucket over the last `sinceMs` (default 1 h) in buckets of `bucketMs` (default 5 min; at most 1000 buckets): runs started and ended, failures and failure rate, mean and p95 duration, mean CPU and memory of the runs running, time sinks, stuck runs and restarts. From the history of finished runs and the live jobs; figures over nothing are null.',
    capability: 'trends',
    mutates: false,
    idempotent: true,
    stable: false,
    errors: [],
    cli: {
      command: 'trends',
      positionals: null,
      brief: 'runs, failures, durations and load per time bucket, as charts',
      summary: 'Per time bucket: runs started, failures and failure rate, mean and p95 duration, mean CPU and memory of the running jobs, time sinks, stuck runs and restarts, drawn as one chart line each (Unicode blocks; ASCII with PROCD_ASCII=1 or on a terminal that is not UTF-8). --table prints the numbers; --json the series.',
      usage: 'procd trends [--since DURATION] [--bucket DURATION] [--table] [--json]',
      options: {
        since: { type: 'string', arg: 'DURATION', help: 'the period to cover, back from now (default 1h)' },
        bucket: { type: 'string', arg: 'DURATION', help: 'the width of one bucket (default 5m)' },
        table: { type: 'boolean', help: 'print the numbers, one row per bucket' },
      },
      examples: ['procd trends', 'procd trends --since 24h --bucket 1h', 'procd trends --since 30m --bucket 1m --table', 'procd trends --json'],
    },
  },
} as const satisfies Record<string, MethodSpec>;
