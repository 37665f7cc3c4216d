import { flag, type CommandDef } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { requireJobs } from '../parse.js';

/** rm: remove finished jobs' records and output. */
export const command: CommandDef = {
  name: 'rm',
  summary: "Remove jobs' records and output files. A running job is refused unless --force, which stops it first.",
  usage: 'procd rm ID|NAME... [--force]',
  optionHelp: ['-f, --force             stop running jobs first (kill procedure), then remove them'],
  examples: ['procd rm 3 4', 'procd rm web --force'],
  options: { force: { type: 'boolean', short: 'f' } },
  async run({ values, positionals, out, client }) {
    const jobs = requireJobs(positionals);
    const r = await (await client()).rm({ jobs, force: flag(values, 'force') });
    if (out.json) out.printJson(r);
    else out.out(`removed ${r.removed.length} job(s): ${r.removed.join(' ')}`);
    return EXIT.ok;
  },
};
