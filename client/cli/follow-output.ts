// Printing a job's output from the daemon's log store: once (what is there now) or following it
// until the job has ended and every byte is out. Shared by `procd logs` and `track --follow`.

import type { JobRef, LogsResult, ParamsOf, StreamName } from '../../shared/methods.js';
import { callWithReconnect, type ClientSource } from '../reconnect.js';
import type { CommandContext } from './command.js';
import type { LineStamper } from './log-lines.js';
import type { LinePrinter } from './print-lines.js';
import { ReaderGone, watchReader, writeBytes } from './reader-watch.js';

export { READER_GONE_EXIT, ReaderGone } from './reader-watch.js';

export interface FollowOptions {
  job: JobRef;
  stream: StreamName;
  tailLines?: number;
  /** Epoch ms, fixed once, so a read repeated after a reconnect asks for exactly the same bytes. */
  since?: number;
  follow: boolean;
  /** Chunks as JSON lines instead of bytes. */
  json: boolean;
  stampers: Record<'stdout' | 'stderr', LineStamper> | null;
  /** One run, or every kept run (default: the current run, then the later ones as the job restarts). */
  runs?: { run: number } | { allRuns: true };
  /** `tailLines` and `since` apply to each run up to this one (--all-runs), not only to the first. */
  tailEachRunUpTo?: number;
  /** Where to start (`--since-cursor`), instead of tailLines/since. */
  cursor?: LogsResult['cursor'];
  /** Read filtered lines (`--grep`, `--head`, ...) instead of bytes; the printer keeps the budgets. */
  lines?: LinePrinter;
  /** Called for each answer, before its bytes are written (notes about dropped output, run marks). */
  onRead?(r: LogsResult, first: boolean): void | Promise<void>;
}

/**
 * Reads and writes until done. Returns true when the job has ended and all of its output was
 * written; throws ReaderGone as soon as whoever reads our stdout goes away (when following, also
 * while the job is silent: see reader-watch.ts).
 */
export async function printOutput(ctx: Pick<CommandContext, 'client' | 'reconnect'>, o: FollowOptions): Promise<boolean> {
  // A write into a closed pipe fails with EPIPE (turned into ReaderGone where we write); without
  // this listener the stream's 'error' event would end the CLI with a stack trace.
  process.stdout.on('error', () => undefined);
  const watch = o.follow ? watchReader() : null;
  // Once the reader is gone, a call cut off by closing the connection is not asked again.
  const source: ClientSource = { client: ctx.client, reconnect: () => (watch?.isGone() ? Promise.reject(new ReaderGone()) : ctx.reconnect()) };
  let cursor: LogsResult['cursor'] | undefined = o.cursor;
  let first = true;
  try {
    for (;;) {
      // tailLines/since pick where a run's reading starts: the first run's, and with --all-runs each run's that had begun when we started.
      const start = !cursor || cursor.run <= (o.tailEachRunUpTo ?? 0);
      // A read lost with its connection moved no cursor: repeating it loses and repeats nothing.
      const params: ParamsOf<'logs'> = {
        job: o.job,
        stream: o.stream,
        ...(cursor ? { cursor } : {}),
        ...(start && o.tailLines !== undefined ? { tailLines: o.tailLines } : {}),
        ...(start && o.since !== undefined ? { since: o.since } : {}),
        ...o.runs,
        ...(o.follow ? { waitMs: 10_000 } : {}),
        ...(o.lines ? { lines: o.lines.next() } : {}),
      };
      const call = callWithReconnect(source, (c) => c.logs(params));
      const r = watch ? await Promise.race([call, watch.gone]) : await call;
      await o.onRead?.(r, first);
      first = false;
      await o.lines?.print(r);
      for (const chunk of r.chunks) {
        if (o.json) {
          await writeBytes(process.stdout, `${JSON.stringify({ ...chunk, run: r.run })}\n`);
          continue;
        }
        const bytes = Buffer.from(chunk.data, 'base64');
        const to = o.stream === 'both' && chunk.stream === 'stderr' ? process.stderr : process.stdout;
        await writeBytes(to, o.stampers ? o.stampers[chunk.stream].apply(bytes, chunk.at) : bytes);
      }
      // An answer with nothing new ends a single read, unless the cursor moved on to the next run.
      const moved = r.cursor.run !== r.run;
      cursor = r.cursor;
      if (r.eof) return true;
      if (o.lines?.spent()) return false;
      const more = o.lines ? o.lines.readOn(r) : r.chunks.length > 0;
      if (!o.follow && !more && !moved) return false;
    }
  } finally {
    watch?.stop();
  }
}
