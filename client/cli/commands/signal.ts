import type { CommandDef } from '../command.js';
import { EXIT, ExitError } from '../exit-codes.js';
import { jobRef } from '../parse.js';

/** signal: one signal to every process of a job, without escalation. */
export const command: CommandDef = {
  name: 'signal',
  summary: "Send a signal to the job's process group and its marked descendants, without escalation.",
  usage: 'procd signal ID|NAME SIG',
  optionHelp: [],
  examples: ['procd signal web HUP', 'procd signal 3 SIGUSR1'],
  options: {},
  async run({ positionals, out, client }) {
    if (positionals.length !== 2) throw new ExitError(EXIT.usage, 'give ID|NAME and a signal');
    const job = jobRef(positionals[0]!);
    const r = await (await client()).signal({ job, signal: positionals[1]! });
    if (out.json) out.printJson(r);
    else out.out(`job ${r.id}: ${r.signal} sent to ${r.signalled.length} process(es) ${r.signalled.join(' ')}`);
    return EXIT.ok;
  },
};
