import { callWithReconnect } from '../../reconnect.js';
import { flag, str, strs, type CommandDef } from '../command.js';
import { EXIT, ExitError, jobExitCode } from '../exit-codes.js';
import { durationOption, jobRef, requireJobs } from '../parse.js';
import { runConditionWait } from '../wait-for.js';
import { exitText } from '../format-job.js';

const EXIT_INTERRUPTED = 130;

/** wait: block until jobs end; exit with the (first failing) job's exit code. With --for: until a condition holds (wait-for.ts). */
export const command: CommandDef = {
  async run(ctx) {
    const { values, positionals, out } = ctx;
    const conditions = strs(values, 'for');
    if (conditions.length) {
      // --timeout 0 means none here: a wait for a condition has a default timeout to turn off.
      const timeoutMs = durationOption('timeout', str(values, 'timeout'));
      const refs = positionals.map(jobRef);
      return runConditionWait(ctx, { refs, conditions, all: flag(values, 'all'), newOutput: flag(values, 'new'), timeoutMs: timeoutMs === 0 ? null : timeoutMs, env: flag(values, 'env'), who: 'procd wait' });
    }
    if (flag(values, 'all') || flag(values, 'new')) throw new ExitError(EXIT.usage, `--${flag(values, 'all') ? 'all' : 'new'} applies to conditions: add --for CONDITION`);
    const refs = requireJobs(positionals);
    // Ctrl-C stops waiting, never the jobs: say so, with how to stop them (exit 130 as a shell would).
    const onInterrupt = () => {
      const given = refs.join(' ');
      process.stderr.write(`\nprocd wait: stopped waiting; ${refs.length === 1 ? `job ${given} keeps` : `jobs ${given} keep`} running (procd kill ${given} to stop)\n`);
      process.exit(EXIT_INTERRUPTED);
    };
    process.once('SIGINT', onInterrupt);
    let r;
    try {
      const timeoutMs = durationOption('timeout', str(values, 'timeout'));
      // Names are resolved to ids once: after a reconnect, a new job of the same name must not be waited for instead.
      const jobs = await callWithReconnect(ctx, (c) => Promise.all(refs.map(async (ref) => (typeof ref === 'number' ? ref : (await c.status({ job: ref })).id))));
      // Across a daemon restart the wait is asked again, for what is left of --timeout.
      const deadline = timeoutMs === undefined ? null : Date.now() + timeoutMs;
      const env = flag(values, 'env') ? { env: true } : {};
      r = await callWithReconnect(ctx, (c) => c.wait({ jobs, ...env, ...(deadline !== null ? { timeoutMs: Math.max(0, deadline - Date.now()) } : {}) }));
    } finally {
      process.removeListener('SIGINT', onInterrupt);
    }
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
