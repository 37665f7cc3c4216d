import type { CommandDef } from '../command.js';
import { EXIT, ExitError } from '../exit-codes.js';
import { priorityText } from '../../../shared/queue.js';

/** priority: change a job's priority (a queued job's place; a running job's nice too). */
export const command: CommandDef = {
  async run({ positionals, out, client }) {
    const [ref, level, ...extra] = positionals;
    if (!ref || !level) throw new ExitError(EXIT.usage, 'usage: procd priority ID|NAME LEVEL (low, normal, high, critical or -100..100)');
    if (extra.length) throw new ExitError(EXIT.usage, `unexpected argument: ${extra[0]}`);
    const job = /^\d+$/.test(ref) ? Number(ref) : ref;
    const r = await (await client()).priority({ job, priority: /^-?\d+$/.test(level) ? Number(level) : level });
    if (out.json) out.printJson(r);
    else {
      out.out(`job ${r.id} (${r.state}): priority ${priorityText(r.priority)}${r.reniced.length ? `; reniced ${r.reniced.join(' ')}` : ''}`);
      if (r.error) out.err(`procd priority: ${r.error}`);
    }
    return r.error ? EXIT.error : EXIT.ok;
  },
};
