import { flag, str, strs, type CommandDef } from '../command.js';
import { EXIT, ExitError } from '../exit-codes.js';
import { nameOption } from '../parse.js';

/** The protocol's bound on a pid (shared/methods.ts). */
const MAX_PID = 2 ** 31;

/** adopt: supervise a process procd did not start. */
export const command: CommandDef = {
  async run({ values, positionals, out, client }) {
    if (positionals.length === 0) throw new ExitError(EXIT.usage, 'missing PID: procd adopt PID (the process id of a running process of yours)');
    if (positionals.length > 1) throw new ExitError(EXIT.usage, `give one PID, not ${positionals.length} (${positionals.join(' ')}); adopt each process with its own procd adopt`);
    if (!/^\d+$/.test(positionals[0]!)) throw new ExitError(EXIT.usage, `"${positionals[0]}" is not a PID: a process id is a whole number, such as 12345 (find it with pgrep or ps)`);
    const pid = Number(positionals[0]);
    if (pid < 1 || pid > MAX_PID) throw new ExitError(EXIT.usage, `"${positionals[0]}" is not a process id (1..${MAX_PID})`);
    const name = nameOption(str(values, 'name'));
    const description = str(values, 'description');
    const tags = strs(values, 'tag');
    const force = flag(values, 'force');
    // Without --owner the library sends PROCD_OWNER (client/session.ts).
    const owner = str(values, 'owner');
    const job = await (await client()).adopt({ pid, callerPid: process.pid, ...(force ? { force } : {}), ...(owner !== undefined ? { owner } : {}), ...(name ? { name } : {}), ...(description ? { description } : {}), ...(tags.length ? { tags } : {}) });
    if (out.json) out.printJson(job);
    else out.out(`${job.id}  ${job.name}  adopted pid ${positionals[0]}`);
    return EXIT.ok;
  },
};
