import { TERMINAL_STATES } from '../../../shared/job.js';
import type { RemoveResult } from '../../../shared/methods.js';
import { flag, type CommandDef } from '../command.js';
import { EXIT } from '../exit-codes.js';
import type { Output } from '../output.js';
import { requireJobs } from '../parse.js';
import { printFailures } from './ref-failures.js';
import { plural } from '../format-time.js';

/** rm: remove jobs' records and output; every job it can, the others reported (exit 1). */
export const command: CommandDef = {
  async run({ values, positionals, out, client }) {
    const jobs = requireJobs(positionals);
    const force = flag(values, 'force');
    const r = await (await client()).rm({ jobs, force, dryRun: flag(values, 'dry-run') });
    if (out.json) out.printJson(r);
    else {
      printRemoved(out, r);
      printFailures(out, 'rm', r.failed);
    }
    return r.failed.length ? EXIT.error : EXIT.ok;
  },
};

/** `removed 2 jobs: 3 4`, or with a dry run one line per job that would go (live ones would be stopped first). */
export function printRemoved(out: Output, r: Pick<RemoveResult, 'dryRun' | 'removed' | 'jobs'>): void {
  if (!r.dryRun) {
    out.out(`removed ${plural(r.removed.length, 'job')}${r.removed.length ? `: ${r.removed.join(' ')}` : ''}`);
    return;
  }
  out.out(`would remove ${plural(r.jobs.length, 'job')} and their output (dry run: nothing removed)`);
  for (const j of r.jobs) out.out(`  ${j.id}  ${j.name}  ${j.state}${TERMINAL_STATES.includes(j.state) ? '' : ' (would be stopped first)'}`);
}
