import { str, type CommandDef } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { durationOption, requireJobs } from '../parse.js';
import { paint } from '../output.js';

/** kill: stop whole jobs — group, marked descendants, grace period, then SIGKILL. */
export const command: CommandDef = {
  async run({ values, positionals, out, client }) {
    const jobs = requireJobs(positionals);
    const graceMs = durationOption('grace', str(values, 'grace'));
    const signal = str(values, 'signal');
    const results = await (await client()).kill({ jobs, ...(signal ? { signal } : {}), ...(graceMs !== undefined ? { graceMs } : {}) });
    if (out.json) {
      out.printJson(results);
      return EXIT.ok;
    }
    for (const r of results) {
      const forced = r.forced.length ? paint(out, 'yellow', `; SIGKILL after the grace period: ${r.forced.join(' ')}`) : '; nothing needed SIGKILL';
      out.out(`job ${r.id} ${r.state}: ${r.signal} to ${r.signalled.length} process(es) ${r.signalled.join(' ')}${forced}`);
    }
    return EXIT.ok;
  },
};
