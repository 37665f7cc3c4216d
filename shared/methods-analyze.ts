// The method table's entries for analysis (issue 14): `analyze` and `stats`. Kept apart so
// shared/methods.ts stays one screenful per concern; METHOD_SPECS spreads them in, so this is still
// one table. Their schemas: schemas/analyze.ts; the report's types: analyze.ts.

import type { MethodSpec } from './method-spec.js';

export const ANALYZE_METHOD_SPECS = {
  analyze: {
    doc: 'What is slow, stuck, failing and why, what runs twice, what hogs the machine and whom it holds up, and what to do: a report over the live jobs and the runs that ended within `sinceMs` (default 24 h), each finding naming job ids and each recommendation the exact procd command that acts on it.',
    capability: 'analyze',
    mutates: false,
    idempotent: true,
    stable: false,
    errors: [],
    cli: {
      command: 'analyze',
      positionals: null,
      brief: 'what is slow, stuck, failing or running twice, and what to do',
      summary:
        'A briefing on the live jobs and the runs that ended in the period (default the last 24 h): headline counts, then what to do first (each with the job ids, the figures and the exact procd command), then the details: time sinks, bottlenecks and whom they hold up, stuck jobs, common errors, duplicates and port conflicts, per-command patterns (failure rate, durations, trend, flakiness), leftovers and zombies.',
      usage: 'procd analyze [--since DURATION] [--json]',
      options: {
        since: { type: 'string', arg: 'DURATION', help: 'read the runs that ended in the last DURATION (default 24h)' },
      },
      examples: ['procd analyze', 'procd analyze --since 1h', 'procd analyze --json | jq ".recommendations[].command"'],
    },
  },
  stats: {
    doc: 'Counts now (jobs per state, raised flags per kind) and over the kept history (runs, failures, failure rate, restarts), and the daemon\'s uptime.',
    capability: 'analyze',
    mutates: false,
    idempotent: true,
    stable: false,
    errors: [],
    cli: {
      command: 'stats',
      positionals: null,
      brief: 'job counts per state and flag, runs, failure rate, restarts, uptime',
      summary: 'Counts: jobs per state and raised flags per kind now; runs, failures, failure rate and restarts over the kept history; the daemon\'s uptime.',
      usage: 'procd stats [--json]',
      options: {},
      examples: ['procd stats', 'procd stats --json'],
    },
  },
} as const satisfies Record<string, MethodSpec>;
