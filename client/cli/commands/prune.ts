import { str, type CommandDef } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { durationOption } from '../parse.js';

/** prune: remove finished jobs that ended long enough ago. */
export const command: CommandDef = {
  async run({ values, out, client }) {
    const olderThanMs = durationOption('older-than', str(values, 'older-than'));
    const r = await (await client()).prune(olderThanMs !== undefined ? { olderThanMs } : {});
    if (out.json) out.printJson(r);
    else out.out(`removed ${r.removed.length} finished job(s)`);
    return EXIT.ok;
  },
};
