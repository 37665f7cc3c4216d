import { type CommandDef } from '../command.js';
import { EXIT, ExitError } from '../exit-codes.js';
import { jobRef } from '../parse.js';

/** release: stop supervising an adopted process; nothing is signalled. */
export const command: CommandDef = {
  async run({ positionals, out, client }) {
    if (positionals.length !== 1) throw new ExitError(EXIT.usage, positionals.length ? 'give one job: procd release ID|NAME' : 'missing ID|NAME');
    const job = await (await client()).release({ job: jobRef(positionals[0]!) });
    if (out.json) out.printJson(job);
    else out.out(`job ${job.id} (${job.name}) released: pid ${job.state.kind === 'lost' ? job.state.pid : '-'} keeps running, no longer supervised by procd`);
    return EXIT.ok;
  },
};
