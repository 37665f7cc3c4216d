import { formatCursor } from '../../../shared/log-budget.js';
import type { JobRef, LogsResult, StreamName } from '../../../shared/methods.js';
import { callWithReconnect } from '../../reconnect.js';
import { flag, str, type CommandContext, type CommandDef } from '../command.js';
import { EXIT, ExitError } from '../exit-codes.js';
import { printOutput } from '../follow-output.js';
import { jobEndLine } from '../job-end-line.js';
import { LineStamper } from '../log-lines.js';
import { durationOption, intOption, jobRef, LIMITS } from '../parse.js';
import { lineOptions } from '../line-options.js';
import { READER_GONE_EXIT, ReaderGone, writeBytes } from '../reader-watch.js';
import { runMarker } from '../run-marker.js';


/**
 * logs: a job's captured output, byte for byte; --follow keeps reading until the job ends, or
 * until whoever reads our stdout goes away (exit 141, as `tail -f`), even while the job is silent.
 */
export const command: CommandDef = {
  async run(ctx) {
    const { values, positionals, out } = ctx;
    if (positionals.length !== 1) throw new ExitError(EXIT.usage, 'give exactly one ID|NAME');
    const stream = (str(values, 'stream') ?? 'both') as StreamName;
    if (!['stdout', 'stderr', 'both'].includes(stream)) throw new ExitError(EXIT.usage, '--stream must be stdout, stderr or both');
    const tailLines = intOption('tail', str(values, 'tail'), { max: LIMITS.count });
    const sinceMs = durationOption('since', str(values, 'since'));
    const follow = flag(values, 'follow');
    const run = intOption('run', str(values, 'run'), { min: 1, max: 2 ** 31, belowMinHint: 'runs are numbered from 1' });
    const allRuns = flag(values, 'all-runs');
    if (run !== undefined && allRuns) throw new ExitError(EXIT.usage, 'give --run N or --all-runs, not both');
    const budget = lineOptions(values, { follow, allRuns, tail: tailLines !== undefined || sinceMs !== undefined, stream, json: out.json });
    const given = jobRef(positionals[0]!);
    // --all-runs: --tail/--since apply to each run there is now (not to runs that begin while following).
    const atStart = allRuns ? await callWithReconnect(ctx, (c) => c.status({ job: given })) : null;
    // Its id from now on: a name could come to mean a newer job meanwhile.
    const ref = atStart?.id ?? given;
    const lastAtStart = atStart?.runs?.current ?? 1;
    let reported = { stdout: 0, stderr: 0 };
    // Lines that say where a run begins: none for one run, nor in --json (each chunk has its run).
    const marks = !out.json && run === undefined;
    // The run last marked (without --all-runs the first run read needs no line).
    let marked: number | null = null;
    let lastCursor: LogsResult['cursor'] | null = null;
    let ended: boolean;
    try {
      ended = await printOutput(ctx, {
        job: ref,
        ...(run !== undefined ? { runs: { run } } : allRuns ? { runs: { allRuns: true }, tailEachRunUpTo: lastAtStart } : {}),
        stream,
        ...(tailLines !== undefined ? { tailLines } : {}),
        ...(sinceMs !== undefined ? { since: Date.now() - sinceMs } : {}),
        follow,
        json: out.json,
        ...(budget.cursor ? { cursor: budget.cursor } : {}),
        ...(budget.printer ? { lines: budget.printer } : {}),
        // One per stream: with both streams, stdout's and stderr's lines go to two places.
        stampers: flag(values, 'timestamps') ? { stdout: new LineStamper(), stderr: new LineStamper() } : null,
        async onRead(r, first) {
          if (!out.json && first && (r.dropped.stdout > reported.stdout || r.dropped.stderr > reported.stderr)) {
            out.err(`procd logs: note: ${r.dropped.stdout + r.dropped.stderr} bytes of the oldest output were dropped at the disk cap`);
          }
          reported = r.dropped;
          lastCursor = r.cursor;
          if (first && !allRuns) marked = r.run;
          // A run's line comes before its first byte, or when it is left or ends without any (--all-runs:
          // every run has one). A run begun while following says how the one before ended (whose line,
          // if any, was printed while it ran).
          const news = r.chunks.length > 0 || r.cursor.run !== r.run || r.eof;
          if (marks && news && r.run !== marked) await markRun(ctx, ref, r.run, !allRuns || r.run > lastAtStart);
          if (news) marked = r.run;
        },
      });
    } catch (err) {
      if (err instanceof ReaderGone) return READER_GONE_EXIT;
      throw err;
    }
    if (budget.printer && out.json) await writeBytes(process.stdout, budget.printer.summary());
    // A plain read from --since-cursor gives the next cursor too.
    const plainNext = !budget.printer && budget.cursor && lastCursor ? formatCursor(lastCursor) : null;
    if (plainNext && out.json) await writeBytes(process.stdout, `${JSON.stringify({ cursor: plainNext })}\n`);
    const note = out.json ? null : budget.printer ? budget.printer.note(budget.cursor !== undefined) : plainNext && `next: --since-cursor ${plainNext}`;
    if (note) out.err(`procd logs: ${note}`);
    if (!out.json) {
      // Bytes the disk refused leave gaps inside the output, so the note comes after it. It is only
      // a note: a job removed meanwhile must not turn printed output into an error.
      const job = await callWithReconnect(ctx, (c) => c.status({ job: ref })).catch(() => null);
      const lost = job?.output.lostBytes ?? 0;
      if (job && lost > 0) out.err(`procd logs: note: ${lost} bytes of output were lost: the disk refused them (${job.dir}/shim.log says where)`);
      // Why following stopped, for whoever watches it on a terminal.
      const endLine = follow && ended && job && process.stderr.isTTY ? jobEndLine(job) : null;
      if (endLine) out.err(`procd logs: ${endLine}`);
    }
    return EXIT.ok;
  },
};

/** Prints the line that says where run `n` begins, with the job as it is now. */
async function markRun(ctx: CommandContext, ref: JobRef, n: number, previous: boolean): Promise<void> {
  const job = await callWithReconnect(ctx, (c) => c.status({ job: ref }));
  ctx.out.err(runMarker(job, n, Date.now(), { previous }));
}
