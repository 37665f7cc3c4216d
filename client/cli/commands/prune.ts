import { flag, str, type CommandDef } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { durationOption } from '../parse.js';
import { printRemoved } from './rm.js';

/** prune: remove finished jobs that ended long enough ago (--dry-run lists them). */
export const command: CommandDef = {
  async run({ values, out, client }) {
    const olderThanMs = durationOption('older-than', str(values, 'older-than'));
    const r = await (await client()).prune({ ...(olderThanMs !== undefined ? { olderThanMs } : {}), dryRun: flag(values, 'dry-run') });
    if (out.json) out.printJson(r);
    else printRemoved(out, r);
    return EXIT.ok;
  },
};
