// The method table's entry for the history of finished runs (issue 14), kept apart so
// shared/methods.ts stays one screenful per concern; METHOD_SPECS spreads it in.

import type { MethodSpec } from './method-spec.js';

/** Runs `history` lists when not given a limit. */
export const HISTORY_LIMIT_DEFAULT = 20;

export const HISTORY_METHOD_SPECS = {
  history: {
    doc: "Recorded runs, newest first: every run that ended (a restart's runs each), kept across daemon restarts, bounded by count and age (PROCD_HISTORY_MAX_RUNS, PROCD_HISTORY_MAX_AGE). `job`: the runs of that job id, or of every job with that name (also jobs removed since); `since`: ended at or after this time (epoch ms); `limit` (default 20). `total` is how many runs the history keeps in all.",
    capability: 'history',
    mutates: false,
    idempotent: true,
    stable: false,
    errors: [],
    cli: {
      command: 'history',
      positionals: '[ID|NAME]',
      brief: 'finished runs, newest first (kept across daemon restarts)',
      summary:
        "List recorded runs, newest first: when each ended, how long it took, how it ended, its peak CPU and memory and flags, and the last line of its stderr. With ID|NAME only that job's runs (a name covers every job that had it, removed ones too).",
      usage: 'procd history [ID|NAME] [--since DURATION] [--limit N] [--json]',
      options: {
        since: { type: 'string', arg: 'DURATION', help: 'only runs that ended within this long (e.g. 1h, 7d)' },
        limit: { type: 'string', arg: 'N', help: 'at most N runs (default 20)' },
      },
      examples: ['procd history', 'procd history build --since 1d', 'procd history 12 --json | jq ".runs[].durationMs"'],
    },
  },
} as const satisfies Record<string, MethodSpec>;
