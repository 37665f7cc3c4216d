import type { ParamsOf, StreamName } from '../../../shared/methods.js';
import { callWithReconnect } from '../../reconnect.js';
import { flag, str, type CommandDef } from '../command.js';
import { EXIT, ExitError } from '../exit-codes.js';
import { durationOption, intOption, jobRef, LIMITS } from '../parse.js';

/** logs: a job's captured output, byte for byte; --follow keeps reading until the job ends. */
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
    let cursor: { stdout: number; stderr: number } | undefined;
    let reported = { stdout: 0, stderr: 0 };
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
      const r = await callWithReconnect(ctx, (c) => c.logs(params));
      if (!out.json && (r.dropped.stdout > reported.stdout || r.dropped.stderr > reported.stderr) && !cursor) {
        out.err(`procd logs: note: ${r.dropped.stdout + r.dropped.stderr} bytes of the oldest output were dropped at the disk cap`);
      }
      reported = r.dropped;
      for (const chunk of r.chunks) {
        const bytes = Buffer.from(chunk.data, 'base64');
        if (out.json) process.stdout.write(`${JSON.stringify({ stream: chunk.stream, data: chunk.data })}\n`);
        else await write(stream === 'both' && chunk.stream === 'stderr' ? process.stderr : process.stdout, bytes);
      }
      cursor = r.cursor;
      if (r.eof || (!follow && r.chunks.length === 0)) break;
    }
    if (!out.json) {
      // Bytes the disk refused leave gaps inside the output, so the note comes after it. It is only
      // a note: a job removed meanwhile must not turn printed output into an error.
      const job = await callWithReconnect(ctx, (c) => c.status({ job: jobRef(positionals[0]!) })).catch(() => null);
      const lost = job?.output.lostBytes ?? 0;
      if (job && lost > 0) out.err(`procd logs: note: ${lost} bytes of output were lost: the disk refused them (${job.dir}/shim.log says where)`);
    }
    return EXIT.ok;
  },
};

/** Writes and waits for the pipe to drain, so a slow reader throttles us instead of buffering 200 MB. */
function write(stream: NodeJS.WriteStream, bytes: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(bytes, (err) => (err ? reject(err) : resolve()));
  });
}
