// The spec of `procd top` (issue 16): a CLI command with no daemon method of its own (it reads
// list, subscribe, status, logs and acts with kill, restart, pause, resume). Spread into
// CLI_ONLY_SPECS (cli-only.ts).

import type { CliSpec } from '../../../shared/method-spec.js';

export const TOP_CLI_SPECS = {
  top: {
    command: 'top',
    positionals: null,
    brief: 'a live terminal view of every job (like htop): sort, filter, kill, restart, pause, logs',
    summary:
      'A full-screen, live view of the jobs, kept current by the daemon\'s events: state, health, CPU, memory, elapsed time, flags and command per job, counts by state and the daemon in the header. Keys: ↑/↓ (or Ctrl-P/Ctrl-N, PgUp/PgDn, Home/End) select; c, m, e, s, i sort by CPU, memory, elapsed, state, id; / filters by text (Enter keeps, Esc clears); k kills the selected job (asks y/n first); r restarts it; p pauses or resumes it; l or Enter opens its output, following (Esc back); q or Ctrl-C quits and gives the terminal back as it was. Needs a terminal (stdin and stdout); NO_COLOR turns colour off.',
    usage: 'procd top [--sort cpu|mem|elapsed|state|id] [--filter TEXT]',
    options: {
      sort: { type: 'string', arg: 'KEY', help: 'the first order: cpu, mem, elapsed, state or id (default id; keys c m e s i change it)' },
      filter: { type: 'string', arg: 'TEXT', help: 'show only jobs whose id, name, state, tags, flags or command contain TEXT (key / changes it)' },
    },
    examples: ['procd top', 'procd top --sort cpu', 'procd top --filter web', 'NO_COLOR=1 procd top'],
  },
} as const satisfies Record<string, CliSpec>;
