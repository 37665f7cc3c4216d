import type { ParamsOf, StreamName } from '../../../shared/methods.js';
import { callWithReconnect, type ClientSource } from '../../reconnect.js';
import { flag, str, type CommandDef } from '../command.js';
import { EXIT, ExitError } from '../exit-codes.js';
import { jobEndLine } from '../job-end-line.js';
import { LineStamper } from '../log-lines.js';
import { durationOption, intOption, jobRef, LIMITS } from '../parse.js';
import { READER_GONE_EXIT, ReaderGone, watchReader, writeBytes } from '../reader-watch.js';

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
    // Fixed once, so a read repeated after a reconnect asks for exactly the same bytes.
    const since = sinceMs === undefined ? undefined : Date.now() - sinceMs;
    const follow = flag(values, 'follow');
    // One per stream: with both streams, stdout's and stderr's lines go to two places.
    const stampers = flag(values, 'timestamps') ? { stdout: new LineStamper(), stderr: new LineStamper() } : null;
    // A write into a closed pipe fails with EPIPE (handled where we write); without this listener
    // the stream's 'error' event would end the CLI with a stack trace.
    process.stdout.on('error', () => undefined);
    const watch = follow ? watchReader() : null;
    // Once the reader is gone, a call cut off by closing the connection is not asked again.
    const source: ClientSource = { client: ctx.client, reconnect: () => (watch?.isGone() ? Promise.reject(new ReaderGone()) : ctx.reconnect()) };
    let cursor: { stdout: number; stderr: number } | undefined;
    let reported = { stdout: 0, stderr: 0 };
    let ended = false;
    try {
      for (;;) {
        // A read lost with its connection moved no cursor: repeating it loses and repeats nothing.
        const params: ParamsOf<'logs'> = {
          job: jobRef(positionals[0]!),
          stream,
          ...(cursor ? { cursor } : {}),
          ...(!cursor && tailLines !== undefined ? { tailLines } : {}),
          ...(!cursor && since !== undefined ? { since } : {}),
          ...(follow ? { waitMs: 10_000 } : {}),
        };
        const call = callWithReconnect(source, (c) => c.logs(params));
        const r = watch ? await Promise.race([call, watch.gone]) : await call;
        if (!out.json && (r.dropped.stdout > reported.stdout || r.dropped.stderr > reported.stderr) && !cursor) {
          out.err(`procd logs: note: ${r.dropped.stdout + r.dropped.stderr} bytes of the oldest output were dropped at the disk cap`);
        }
        reported = r.dropped;
        for (const chunk of r.chunks) {
          if (out.json) {
            await writeBytes(process.stdout, `${JSON.stringify(chunk)}\n`);
            continue;
          }
          const bytes = Buffer.from(chunk.data, 'base64');
          await writeBytes(stream === 'both' && chunk.stream === 'stderr' ? process.stderr : process.stdout, stampers ? stampers[chunk.stream].apply(bytes, chunk.at) : bytes);
        }
        cursor = r.cursor;
        ended = r.eof;
        if (r.eof || (!follow && r.chunks.length === 0)) break;
      }
    } catch (err) {
      if (err instanceof ReaderGone) return READER_GONE_EXIT;
      throw err;
    } finally {
      watch?.stop();
    }
    if (!out.json) {
      // Bytes the disk refused leave gaps inside the output, so the note comes after it. It is only
      // a note: a job removed meanwhile must not turn printed output into an error.
      const job = await callWithReconnect(ctx, (c) => c.status({ job: jobRef(positionals[0]!) })).catch(() => null);
      const lost = job?.output.lostBytes ?? 0;
      if (job && lost > 0) out.err(`procd logs: note: ${lost} bytes of output were lost: the disk refused them (${job.dir}/shim.log says where)`);
      // Why following stopped, for whoever watches it on a terminal.
      const endLine = follow && ended && job && process.stderr.isTTY ? jobEndLine(job) : null;
      if (endLine) out.err(`procd logs: ${endLine}`);
    }
    return EXIT.ok;
  },
};
