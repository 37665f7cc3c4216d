// The method table's entries for pause and resume (issue 11), kept apart so shared/methods.ts stays
// one screenful per concern; METHOD_SPECS spreads them in after `signal`, so this is still one table.

import type { MethodSpec } from './method-spec.js';

export const PAUSE_METHOD_SPECS = {
  pause: {
    doc: "Pause whole jobs: the job's cgroup is frozen (cgroup.freeze, waited for until the kernel reports it frozen) where it has one, otherwise every process of the job gets SIGSTOP exactly once. The job is `paused` until `resume`; paused time does not count toward its timeout, the stuck flag or the time-sink flag. A paused job can be killed (it is thawed first). Answers one item per job given, in order: `changed: false` when it was already paused; `ok: false` with JobNotRunning for a job that is not running (queued, ended).",
    capability: 'pause',
    mutates: true,
    audited: true,
    idempotent: true,
    stable: false,
    timeout: { plusMs: 30_000 },
    errors: ['JobNotFound', 'JobNotRunning', 'PauseFailed', 'StorageFailed'],
    cli: {
      command: 'pause',
      positionals: 'ID|NAME...',
      brief: 'pause whole jobs (freeze their cgroup, or SIGSTOP each process once)',
      summary:
        "Pause jobs, all their processes at once: the job's cgroup is frozen where it has one, otherwise each process gets SIGSTOP exactly once. Paused time does not count toward --timeout, the stuck flag or the time-sink flag; `procd resume` continues the job, `procd kill` stops it (thawing it first). Pausing a whole group (--group) comes with groups (issue 13). Exit status 1 when any job given could not be paused.",
      usage: 'procd pause ID|NAME... [--json]',
      options: {},
      examples: ['procd pause build', 'procd pause 3 4 --json'],
    },
  },
  resume: {
    doc: 'Resume paused jobs the way they were paused: thaw the cgroup, or SIGCONT to every process of the job exactly once; the timeout is re-armed with the paused time left out. `changed: false` for a job that was already running; JobNotRunning for one that is not live.',
    capability: 'pause',
    mutates: true,
    audited: true,
    idempotent: true,
    stable: false,
    timeout: { plusMs: 30_000 },
    errors: ['JobNotFound', 'JobNotRunning', 'PauseFailed', 'StorageFailed'],
    cli: {
      command: 'resume',
      aliases: ['continue'],
      positionals: 'ID|NAME...',
      brief: 'resume paused jobs',
      summary: 'Resume paused jobs: thaw their cgroup, or SIGCONT each process exactly once. Resuming a whole group (--group) comes with groups (issue 13). Exit status 1 when any job given could not be resumed.',
      usage: 'procd resume ID|NAME... [--json]',
      options: {},
      examples: ['procd resume build', 'procd resume 3 4 --json'],
    },
  },
} as const satisfies Record<string, MethodSpec>;
