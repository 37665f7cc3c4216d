// The method table's entry for `wait` (issue 15 §2: one wait for any condition), kept apart so
// shared/methods.ts stays one screenful per concern; METHOD_SPECS includes it by name.

import type { MethodSpec } from './method-spec.js';

/** Without `timeoutMs`, a wait for a condition other than `exit` ends after this long (a plain wait never). */
export const DEFAULT_CONDITION_WAIT_MS = 5 * 60_000;

export const WAIT_METHOD = {
  doc: "Block until the jobs end (or the timeout passes); with `for`, until any of the conditions (all of them with `all`) holds for each job, a job ends before it can, or the timeout passes (default 5 minutes unless the only condition is `exit`; `timeoutMs: null` for none). The answer's `for` says which condition fired, or which job ended first, with each job's state and last lines. Environments are counted; their values only with `env`.",
  capability: 'jobs',
  mutates: false,
  idempotent: true,
  stable: false,
  timeout: { param: 'timeoutMs', unboundedWithout: true },
  errors: ['JobNotFound'],
  cli: {
    command: 'wait',
    positionals: 'ID|NAME...',
    brief: "wait for jobs to end (exits with the job's code), or --for a condition",
    summary:
      "Wait until the jobs end. Exits with the job's exit code (for several, the first failing one's); 124 when --timeout passes first. With --for CONDITION (output=REGEX, listen[=PORT], tcp=[HOST:]PORT, http=URL, exec=CMD, exit, ready, quiet=D, state=S, port-free=PORT; several --for: any of them, --all: all), waits until it holds for each job: exit 0 when it did, 124 when the timeout passed (default 5m unless the only condition is exit; --timeout 0: none), 125 when a job ended before it could (its own exit code is in --json). Prints what happened and the last lines of each job's output. The daemon does the checking (every 250 ms at most for output, quiet, listen, tcp, http, exec and port-free; at once on a state change for exit, state and ready).",
    usage: 'procd wait ID|NAME... [--for CONDITION]... [--all] [--new] [--timeout DURATION] [--env]',
    options: {
      for: { type: 'string', arg: 'CONDITION', multiple: true, help: 'wait until this condition holds for each job (repeatable: any of them); port-free=PORT, tcp= and http= need no job' },
      all: { type: 'boolean', help: 'with several --for: wait until all of them hold, not any' },
      new: { type: 'boolean', help: 'output= matches only lines written after the wait began (default: from the start of the current run)' },
      timeout: { type: 'string', arg: 'DURATION', help: 'give up after this long (exit 124); the jobs keep running. With --for: default 5m, 0 for none' },
      env: { type: 'boolean', help: "with --json, also the jobs' environment values (by default only their count)" },
    },
    examples: ['procd wait 3 && echo ok', 'procd wait build test --timeout 30m', "procd wait web --for 'output=listening on' --for listen=3000", 'procd wait --for port-free=3000 --timeout 10s', 'procd wait api --for ready --timeout 2m --json'],
  },
} as const satisfies MethodSpec;
