// Specs of `procd up` and `procd down` (issue 13): CLI commands built on list, track, kill and wait,
// with no daemon method of their own. Spread into CLI_ONLY_SPECS (cli-only.ts).

import type { CliSpec } from '../../shared/method-spec.js';

export const PROJECT_CLI_SPECS = {
  up: {
    command: 'up',
    positionals: '[FILE] [NAME...]',
    brief: "start a project file's jobs (procd.yaml); again: only what changed",
    summary:
      'Start the jobs a project file declares (procd.yaml, procd.yml or procd.json here, or FILE), named PROJECT/ENTRY, each once what it waits for (after) is met. Idempotent: a job that runs its entry as written is left alone; a changed entry is stopped (its own stop signal and grace) and started again, and so is every live job that waits for it, in order. NAME... starts only those entries and what they wait for. The whole file is checked first: a problem is reported as FILE:LINE: KEY and nothing starts.',
    usage: 'procd up [FILE] [NAME...] [--dry-run] [--json]',
    options: { 'dry-run': { type: 'boolean', short: 'n', help: 'say what would be started and restarted, change nothing' } },
    examples: ['procd up', 'procd up deploy/procd.yaml', 'procd up api', 'procd up --dry-run', 'procd up --json'],
  },
  down: {
    command: 'down',
    positionals: '[FILE] [NAME...]',
    brief: "stop a project file's jobs, dependants first",
    summary:
      "Stop the live jobs a project file declares (or the entries NAME... and what waits for them), dependants first: each layer is stopped with each job's own stop signal and grace and has ended before the next one is stopped.",
    usage: 'procd down [FILE] [NAME...] [--json]',
    options: {},
    examples: ['procd down', 'procd down api', 'procd down deploy/procd.yaml --json'],
  },
} as const satisfies Record<string, CliSpec>;
