// pause and resume: the same call shape and the same presentation, one line per job acted on.

import type { PauseDone, PauseOutcome, RefFailure } from '../../../shared/methods.js';
import type { CommandContext } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { plural } from '../format-time.js';
import { requireJobs } from '../parse.js';
import { printFailures } from './ref-failures.js';

export async function runPauseOrResume({ positionals, out, client }: CommandContext, request: 'pause' | 'resume'): Promise<number> {
  const jobs = requireJobs(positionals);
  const connected = await client();
  const results: PauseOutcome[] = request === 'pause' ? await connected.pause({ jobs }) : await connected.resume({ jobs });
  const failed = results.filter((r): r is RefFailure => !r.ok);
  if (out.json) out.printJson(results);
  else {
    for (const r of results.filter((r): r is PauseDone => r.ok)) out.out(describe(r, request));
    printFailures(out, request, failed);
  }
  return failed.length ? EXIT.error : EXIT.ok;
}

/** `job 3 paused: cgroup frozen (2 processes)`, `job 3 resumed: SIGCONT to 3 processes 41 42 43`. */
export function describe(r: PauseDone, request: 'pause' | 'resume'): string {
  if (!r.changed) return `job ${r.id} was already ${r.state}`;
  const done = request === 'pause' ? 'paused' : 'resumed';
  const procs = plural(r.pids.length, 'process', 'processes');
  if (r.method === 'freezer') return `job ${r.id} ${done}: cgroup ${request === 'pause' ? 'frozen' : 'thawed'} (${procs})`;
  return `job ${r.id} ${done}: ${request === 'pause' ? 'SIGSTOP' : 'SIGCONT'} to ${procs} ${r.pids.join(' ')}`.trimEnd();
}
