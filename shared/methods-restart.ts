// The method table's entry for restart (issue 11), kept apart so shared/methods.ts stays one
// screenful per concern; METHOD_SPECS spreads it in after resume, so this is still one table.

import { LIMITS } from './field-limits.js';
import type { MethodSpec } from './method-spec.js';

export const RESTART_METHOD_SPECS = {
  restart: {
    doc: "Run jobs again under the same id with the same spec: a live run is stopped first (its own stop signal and grace, or `signal`/`graceMs`), then the next run starts at once (`runs.current` + 1; its output is its own, `logs --run N` reads earlier ones). A job waiting for its next run (restart backoff, a start time) starts now. An ended job starts again. Answers one item per job given, once the new run has started (or failed to): `stopped` says whether a live run was stopped. NotRestartable for an adopted job (procd cannot start what it did not start); NameInUse when another live job took the name meanwhile.",
    capability: 'restart',
    mutates: true,
    audited: true,
    idempotent: false,
    stable: false,
    timeout: { plusMs: 60_000 + LIMITS.stopGraceMs },
    errors: ['JobNotFound', 'NotRestartable', 'NameInUse', 'BadSignal', 'StorageFailed'],
    cli: {
      command: 'restart',
      positionals: 'ID|NAME...',
      brief: 'stop a job (if running) and run it again under the same id',
      summary:
        "Stop each job gracefully (its own stop signal and grace; --signal/--grace override) and run it again under the same id with the same command, environment and options. The new run's output is separate (`procd logs ID --run N` for an earlier run). A job waiting to restart starts now; an ended job runs again. Exit status 1 when any job given could not be restarted.",
      usage: 'procd restart ID|NAME... [--signal SIG] [--grace DURATION] [--json]',
      options: {
        signal: { type: 'string', arg: 'SIG', help: "stop the running run with this signal instead of the job's own stop signal" },
        grace: { type: 'string', arg: 'DURATION', help: "how long to wait before SIGKILL instead of the job's own grace" },
      },
      examples: ['procd restart web', 'procd restart 3 4 --grace 10s', 'procd restart api --json'],
    },
  },
} as const satisfies Record<string, MethodSpec>;
