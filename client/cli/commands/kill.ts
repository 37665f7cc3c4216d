import { str, type CommandDef } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { durationOption, requireJobs } from '../parse.js';
import { paint } from '../output.js';

/** kill: stop whole jobs — group, marked descendants, grace period, then SIGKILL. */
export const command: CommandDef = {
  name: 'kill',
  aliases: ['stop'],
  summary:
    "Stop jobs: the signal goes to the job's process group and every process carrying its marker (setsid'd and double-forked ones too); after the grace period SIGKILL goes to whatever is left. Killing a finished job is an error.",
  usage: 'procd kill ID|NAME... [--signal SIG] [--grace DURATION]',
  optionHelp: ['-s, --signal SIG        the first signal (default SIGTERM)', '--grace DURATION        wait this long before SIGKILL (default 5s)'],
  examples: ['procd kill 3', 'procd kill web worker --signal INT --grace 10s'],
  options: { signal: { type: 'string', short: 's' }, grace: { type: 'string' } },
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
