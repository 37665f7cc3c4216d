// The method table's entry for the audit log (issue 14), kept apart so shared/methods.ts stays one
// screenful per concern; METHOD_SPECS spreads it in, so this is still one table. Which methods are
// audited is the table's own `audited` flag (shared/method-spec.ts).

import type { MethodSpec } from './method-spec.js';

export const AUDIT_METHOD_SPECS = {
  audit: {
    doc: "The audit log, newest first: every call of a method that acts on jobs, groups or records (track, kill, signal, pause, resume, restart, rm, prune, cleanup, adopt, release, group.set, group.rm, priority, daemon.stop), with when it came, the client's name, pid and purpose as it said in `hello` (the socket is private to the user: the uid is the daemon's own), its params with environment values left out (`envKeys`: the names only), and the result in short (the job ids acted on, or the error). Kept in audit.jsonl in the daemon's home, rotated by size.",
    capability: 'audit',
    mutates: false,
    idempotent: true,
    stable: false,
    errors: [],
    cli: {
      command: 'audit',
      positionals: null,
      brief: 'who did what: the calls that changed jobs, newest first',
      summary:
        "Show the audit log, newest first: each call that acted on jobs (track, kill, signal, pause, resume, restart, rm, prune, cleanup, adopt, release, group, priority, daemon stop; `procd up`/`down` marked as such) with its time, the client and its pid, the params (environment names only, never values) and the result (the job ids, or the error).",
      usage: 'procd audit [--since DURATION] [--method M]... [--limit N] [--json]',
      options: {
        since: { type: 'string', arg: 'DURATION', help: 'only calls in the last DURATION (e.g. 1h)' },
        method: { type: 'string', multiple: true, arg: 'M', help: 'only calls of this method (repeatable; e.g. kill, track, group.set)' },
        limit: { type: 'string', short: 'n', arg: 'N', help: 'at most N records (default 100)' },
      },
      examples: ['procd audit', 'procd audit --since 1h --method kill', 'procd audit --json | jq ".[] | select(.result.ok == false)"'],
    },
  },
} as const satisfies Record<string, MethodSpec>;
