import { flag, type CommandDef } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { requireJobs } from '../parse.js';

/** rm: remove finished jobs' records and output. */
export const command: CommandDef = {
  async run({ values, positionals, out, client }) {
    const jobs = requireJobs(positionals);
    const r = await (await client()).rm({ jobs, force: flag(values, 'force') });
    if (out.json) out.printJson(r);
    else out.out(`removed ${r.removed.length} job(s): ${r.removed.join(' ')}`);
    return EXIT.ok;
  },
};
