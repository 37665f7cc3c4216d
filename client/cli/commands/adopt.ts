import { flag, str, strs, type CommandDef } from '../command.js';
import { EXIT, ExitError } from '../exit-codes.js';
import { nameOption } from '../parse.js';

/** The protocol's bound on a pid (shared/methods.ts). */
const MAX_PID = 2 ** 31;

/** adopt: supervise a process procd did not start. */
export const command: CommandDef = {
  async run({ values, positionals, out, client }) {
    if (positionals.length !== 1 || !/^\d+$/.test(positionals[0]!)) throw new ExitError(EXIT.usage, 'give exactly one PID');
    const pid = Number(positionals[0]);
    if (pid < 1 || pid > MAX_PID) throw new ExitError(EXIT.usage, `"${positionals[0]}" is not a process id (1..${MAX_PID})`);
    const name = nameOption(str(values, 'name'));
    const description = str(values, 'description');
    const tags = strs(values, 'tag');
    const force = flag(values, 'force');
    const job = await (await client()).adopt({ pid, callerPid: process.pid, ...(force ? { force } : {}), ...(name ? { name } : {}), ...(description ? { description } : {}), ...(tags.length ? { tags } : {}) });
    if (out.json) out.printJson(job);
    else out.out(`${job.id}  ${job.name}  adopted pid ${positionals[0]}`);
    return EXIT.ok;
  },
};
