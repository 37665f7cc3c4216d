import type { RefFailure, RestartDone } from '../../../shared/methods.js';
import { str, type CommandDef } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { durationOption, requireJobs } from '../parse.js';
import { printFailures } from './ref-failures.js';

/** restart: stop each job gracefully (when running) and run it again under the same id. Exit 1 when any job given could not be restarted. */
export const command: CommandDef = {
  async run({ values, positionals, out, client }) {
    const jobs = requireJobs(positionals);
    const graceMs = durationOption('grace', str(values, 'grace'));
    const signal = str(values, 'signal');
    const results = await (await client()).restart({ jobs, ...(signal ? { signal } : {}), ...(graceMs !== undefined ? { graceMs } : {}) });
    const failed = results.filter((r): r is RefFailure => !r.ok);
    if (out.json) out.printJson(results);
    else {
      for (const r of results.filter((r): r is RestartDone => r.ok)) {
        const how = r.stopped ? 'stopped and started again' : 'started again';
        out.out(`job ${r.id} ${how}: run ${r.run} is ${r.state}`);
      }
      printFailures(out, 'restart', failed);
    }
    return failed.length ? EXIT.error : EXIT.ok;
  },
};
