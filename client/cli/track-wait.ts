// `track --wait` / `--follow`: what happens between starting the job and its end. On a terminal the
// id comes first; Ctrl-C stops waiting, never the job, and says so with the id; --follow streams
// the job's own stdout and stderr to ours, byte for byte, until it ends.

import { hasLiveProcess, type JobView } from '../../shared/job.js';
import { callWithReconnect } from '../reconnect.js';
import type { CommandContext } from './command.js';

const INTERRUPTED = 130;

/** The ended job, or the exit code when waiting stopped first (the reader of --follow went away). */
export async function waitForJob(ctx: CommandContext, job: JobView, opts: { follow: boolean; announce: boolean }): Promise<JobView | number> {
  const { id } = job;
  const keepsRunning = `procd track: job ${id} keeps running (procd kill ${id} to stop it)`;
  const onInterrupt = () => {
    process.stderr.write(`\n${keepsRunning}\n`);
    process.exit(INTERRUPTED);
  };
  process.once('SIGINT', onInterrupt);
  if (opts.announce) {
    const pid = hasLiveProcess(job.state) ? `, pid ${job.state.pid}` : '';
    ctx.out.err(`procd track: job ${id} (${job.name}) started${pid}; waiting for it to end (Ctrl-C stops waiting, not the job)`);
  }
  try {
    if (opts.follow) {
      // From the full CLI (the bin loads cli.js only here): plain `track` stays on the lean path.
      const { printOutput, ReaderGone, READER_GONE_EXIT } = await import('./cli.js');
      try {
        await printOutput(ctx, { job: id, stream: 'both', follow: true, json: false, stampers: null });
      } catch (err) {
        if (!(err instanceof ReaderGone)) throw err;
        ctx.out.err(keepsRunning);
        return READER_GONE_EXIT;
      }
    }
    return (await callWithReconnect(ctx, (c) => c.wait({ jobs: [id] }, { timeoutMs: null }))).jobs[0] ?? job;
  } finally {
    process.removeListener('SIGINT', onInterrupt);
  }
}
