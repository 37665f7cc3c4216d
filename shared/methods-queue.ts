// The method table's entries for the queue (issue 13): groups and priorities. Kept apart so
// shared/methods.ts stays one screenful per concern; METHOD_SPECS spreads them in, so this is still
// one table. `procd group set|rm|ls` is one CLI command over the three group methods
// (client/cli/cli-only.ts); `procd priority` is the priority method's own.

import type { MethodSpec } from './method-spec.js';

export const QUEUE_METHOD_SPECS = {
  'group.set': {
    doc: "Create or change a queue group: `parallel` (at most this many of its jobs run at once; null: no limit) and `paused` (its queued jobs do not start). Durable before the answer; the queue re-runs at once (a raised limit starts waiting jobs). Answers the group with its running and queued counts.",
    capability: 'queue',
    mutates: true,
    audited: true,
    idempotent: true,
    stable: false,
    errors: [],
  },
  'group.rm': {
    doc: "Remove a group's settings (its jobs then run without a limit). GroupNotFound when none is configured; GroupInUse while jobs wait in it.",
    capability: 'queue',
    mutates: true,
    audited: true,
    idempotent: false,
    stable: false,
    errors: ['GroupNotFound', 'GroupInUse'],
  },
  'group.ls': {
    doc: 'Every group that is configured or has live jobs (`default` always): its limit, whether paused, and how many of its jobs run and wait.',
    capability: 'queue',
    mutates: false,
    idempotent: true,
    stable: false,
    errors: [],
  },
  priority: {
    doc: "Change a job's priority: a queued job's place in the queue (low -10, normal 0, high 10, critical 20, or -100..100); for a running job also the `nice` value of its processes (low 10, normal 0, high -5, critical -10; raising needs privileges: `reniced` lists the pids changed and `error` says why not). Answers the job.",
    capability: 'queue',
    mutates: true,
    audited: true,
    idempotent: true,
    stable: false,
    errors: ['JobNotFound'],
    cli: {
      command: 'priority',
      positionals: 'ID|NAME LEVEL',
      brief: "change a job's priority (queued: its place; running: its nice)",
      summary: "Change a job's priority: LEVEL is low, normal, high, critical or a number from -100 to 100. A queued job moves in the queue; a running one also gets the matching nice value (low 10, normal 0, high -5, critical -10).",
      usage: 'procd priority ID|NAME LEVEL [--json]',
      options: {},
      examples: ['procd priority 7 high', 'procd priority nightly-build low'],
    },
  },
} as const satisfies Record<string, MethodSpec>;
