import type { KillResult, RefFailure } from '../../../shared/methods.js';
import { flag, str, type CommandDef } from '../command.js';
import { EXIT, ExitError } from '../exit-codes.js';
import { durationOption, intOption, requireJobs } from '../parse.js';
import { paint } from '../output.js';
import { printFailures } from './ref-failures.js';
import { plural } from '../format-time.js';

/** kill: stop whole jobs — group, marked descendants, grace period, then SIGKILL. Exit 1 when any job given could not be stopped. */
export const command: CommandDef = {
  async run({ values, positionals, out, client }) {
    const owner = str(values, 'owner');
    const port = intOption('port', str(values, 'port'), { min: 1, max: 65535 });
    const adopt = flag(values, 'adopt');
    if (adopt && port === undefined) throw new ExitError(EXIT.usage, '--adopt goes with --port: it adopts the process holding that port, then stops it (to adopt by pid: procd adopt PID)');
    const udp = flag(values, 'udp');
    if (udp && port === undefined) throw new ExitError(EXIT.usage, '--udp goes with --port: procd kill --port PORT --udp stops the job on UDP port PORT');
    const jobs = (owner !== undefined || port !== undefined) && positionals.length === 0 ? undefined : requireJobs(positionals, 'ID|NAME (or --owner NAME, or --port PORT)');
    const graceMs = durationOption('grace', str(values, 'grace'));
    const signal = str(values, 'signal');
    const byPort = port !== undefined ? { port, ...(udp ? { protocol: 'udp' as const } : {}), ...(adopt ? { adopt, callerPid: process.pid } : {}) } : {};
    const results = await (await client()).kill({ ...(jobs ? { jobs } : {}), ...(owner !== undefined ? { owner } : {}), ...byPort, ...(signal ? { signal } : {}), ...(graceMs !== undefined ? { graceMs } : {}) });
    const failed = results.filter((r): r is RefFailure => !r.ok);
    if (out.json) {
      out.printJson(results);
      return failed.length ? EXIT.error : EXIT.ok;
    }
    for (const r of results.filter((r): r is KillResult => r.ok)) {
      const forced = r.forced.length ? paint(out, 'yellow', `; SIGKILL after the grace period: ${r.forced.join(' ')}`) : '; nothing needed SIGKILL';
      out.out(`job ${r.id} ${r.state}: ${r.signal} to ${plural(r.signalled.length, 'process', 'processes')} ${r.signalled.join(' ')}${forced}`);
    }
    if (owner !== undefined && results.length === 0) out.out(`no live jobs of owner ${owner}`);
    printFailures(out, 'kill', failed);
    return failed.length ? EXIT.error : EXIT.ok;
  },
};
