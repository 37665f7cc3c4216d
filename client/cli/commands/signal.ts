import type { CommandDef } from '../command.js';
import { EXIT, ExitError } from '../exit-codes.js';
import { jobRef } from '../parse.js';
import { plural } from '../format-time.js';

/** signal: one signal to every process of a job, without escalation. */
export const command: CommandDef = {
  async run({ positionals, out, client }) {
    if (positionals.length !== 2) throw new ExitError(EXIT.usage, 'give ID|NAME and a signal');
    const job = jobRef(positionals[0]!);
    const r = await (await client()).signal({ job, signal: positionals[1]! });
    if (out.json) out.printJson(r);
    else out.out(`job ${r.id}: ${r.signal} sent to ${plural(r.signalled.length, 'process', 'processes')} ${r.signalled.join(' ')}`);
    return EXIT.ok;
  },
};
