import { callWithReconnect } from '../../reconnect.js';
import { flag, str, type CommandDef } from '../command.js';
import { EXIT, jobExitCode } from '../exit-codes.js';
import { durationOption, requireJobs } from '../parse.js';
import { exitText } from '../format-job.js';

/** wait: block until jobs end; exit with the (first failing) job's exit code. */
export const command: CommandDef = {
  async run(ctx) {
    const { values, positionals, out } = ctx;
    const refs = requireJobs(positionals);
    const timeoutMs = durationOption('timeout', str(values, 'timeout'));
    // Names are resolved to ids once: after a reconnect, a new job of the same name must not be waited for instead.
    const jobs = await callWithReconnect(ctx, (c) => Promise.all(refs.map(async (ref) => (typeof ref === 'number' ? ref : (await c.status({ job: ref })).id))));
    // Across a daemon restart the wait is asked again, for what is left of --timeout.
    const deadline = timeoutMs === undefined ? null : Date.now() + timeoutMs;
    const env = flag(values, 'env') ? { env: true } : {};
    const r = await callWithReconnect(ctx, (c) => c.wait({ jobs, ...env, ...(deadline !== null ? { timeoutMs: Math.max(0, deadline - Date.now()) } : {}) }));
    if (out.json) out.printJson(r);
    else for (const j of r.jobs) out.out(`job ${j.id} (${j.name}) ${j.state.kind} ${exitText(j)}`);
    if (r.timedOut) {
      if (!out.json) out.err('procd wait: timed out before the jobs ended');
      return EXIT.waitTimedOut;
    }
    for (const j of r.jobs) {
      const code = jobExitCode(j) ?? EXIT.error;
      if (code !== 0) return code;
    }
    return EXIT.ok;
  },
};
