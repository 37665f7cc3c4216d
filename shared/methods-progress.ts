// The method table's entry for progress reports (issue 14): a job says how far it is, from inside.
// Kept apart so shared/methods.ts stays one screenful per concern; METHOD_SPECS spreads it in.

import type { MethodSpec } from './method-spec.js';

export const PROGRESS_METHOD_SPECS = {
  progress: {
    doc: "Report a running job's progress: `done` alone is a percentage (0..100); with `total`, `done` of `total` items. `phase` names the step (kept until another is given; '' clears it). `instance` (the job's PROCD_INSTANCE) makes a report from inside a job of another procd home fail with InstanceMismatch instead of landing on this daemon's job with the same id. Kept in memory and saved with the job's next change; milestones (the first report, every tenth of the way, a new phase) are saved and announced as `job.progress` events. Answers the job's progress and its ETA. A job can also print marker lines (`::procd progress 67/200 phase=TEXT`, README).",
    capability: 'progress',
    // Progress is volatile like resource samples: a report is not worth an fsync (milestones are journaled).
    mutates: false,
    // A report sent twice reads as the same progress reported again.
    idempotent: true,
    stable: false,
    errors: ['JobNotFound', 'JobNotRunning', 'InstanceMismatch'],
    cli: {
      command: 'progress',
      positionals: 'PERCENT|DONE',
      brief: 'report progress from inside a job (67 = 67%; 67 --total 200 = 67 of 200)',
      summary:
        "Report how far a job is, from inside it: it finds its job from PROCD_JOB_ID (every job has it) unless --job names one. PERCENT alone is a percentage (0..100, decimals allowed); with --total N it is DONE of N items. `status` and `ls` then show the percent, the phase and an ETA, and the stuck flag watches the progress instead of the output. Prints nothing on success (its output would land in the job's log); --json prints the answer. Without the CLI, a job can print a marker line on its stdout instead: `::procd progress 67/200 phase=URL 2 of 3`.",
      usage: 'procd progress PERCENT|DONE [--total N] [--phase TEXT] [--job ID|NAME] [--json]',
      options: {
        total: { type: 'string', arg: 'N', help: 'DONE counts items out of N (a number above 0; DONE at most N)' },
        phase: { type: 'string', arg: 'TEXT', help: "what it is doing now (kept until another is given; '' clears it; at most 200 characters)" },
        job: { type: 'string', arg: 'ID|NAME', help: 'the job to report for (default: $PROCD_JOB_ID, the job this runs in)' },
      },
      examples: ['procd progress 67', 'procd progress 67 --total 200 --phase "URL 2 of 3"', 'procd progress 100 --job 12', 'echo "::procd progress 3/10 phase=upload"'],
    },
  },
} as const satisfies Record<string, MethodSpec>;
