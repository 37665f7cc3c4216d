import { isUtf8 } from 'node:buffer';
import { setTimeout as delay } from 'node:timers/promises';
import { isSpawnFailure, isTerminal, type Job } from '../../shared/job.js';
import type { LogChunk, LogsResult, ParamsOf } from '../../shared/methods.js';
import { splitByArrival, withOffsets, type TimedChunk } from '../output/chunk-times.js';
import { readIndex } from '../output/segment-index.js';
import { cursorAtTime, listOut, readInterleaved, readStream, streamInfo, tailCursor, type Cursor } from '../output/segments.js';
import { readClosedFile } from '../output/spawn-spec.js';
import type { CallContext } from '../server/dispatch.js';
import type { DaemonContext } from './context.js';

const DEFAULT_MAX_BYTES = 1 << 20;
const FOLLOW_POLL_MS = 50;

/**
 * logs: reads captured output from a cursor (or the last N lines, or since a time). With waitMs
 * it long-polls: it answers as soon as new bytes exist, the job's output is complete, or the wait ends.
 */
export async function logs(ctx: DaemonContext, params: ParamsOf<'logs'>, call: CallContext): Promise<LogsResult> {
  const stream = params.stream ?? 'both';
  const maxBytes = params.maxBytes ?? DEFAULT_MAX_BYTES;
  let job = ctx.table.resolve(params.job);
  const cursor: Cursor = params.cursor ?? (await startCursor(job, params, stream));
  const deadline = Date.now() + (params.waitMs ?? 0);
  for (;;) {
    const read = await readFrom(job, stream, cursor, maxBytes);
    job = ctx.table.get(job.id) ?? job;
    // Also on a read that returned bytes: a finished job's first read says when it was the last one.
    const eof = await outputComplete(job, read.cursor, stream);
    if (read.chunks.length > 0 || eof || Date.now() >= deadline || call.isClosed()) {
      const [out, err] = await Promise.all([streamInfo(job.dir, 'stdout'), streamInfo(job.dir, 'stderr')]);
      return { chunks: read.chunks, cursor: read.cursor, eof, dropped: { stdout: out.start, stderr: err.start }, state: job.state.kind };
    }
    await delay(Math.min(FOLLOW_POLL_MS, Math.max(1, deadline - Date.now())));
  }
}

/** Where reading starts: the last N lines, or from a time, or both (whichever starts later). */
async function startCursor(job: Job, params: ParamsOf<'logs'>, stream: 'stdout' | 'stderr' | 'both'): Promise<Cursor> {
  const tail = params.tailLines === undefined ? null : await tailCursor(job.dir, stream, params.tailLines);
  const since = params.since === undefined ? null : await cursorAtTime(job.dir, params.since);
  if (tail && since) return { stdout: Math.max(tail.stdout, since.stdout), stderr: Math.max(tail.stderr, since.stderr) };
  return tail ?? since ?? { stdout: 0, stderr: 0 };
}

async function readFrom(job: Job, stream: 'stdout' | 'stderr' | 'both', cursor: Cursor, maxBytes: number): Promise<{ chunks: LogChunk[]; cursor: Cursor }> {
  let read: { chunks: { stream: 'stdout' | 'stderr'; data: Buffer }[]; cursor: Cursor };
  if (stream === 'both') read = await readInterleaved(job.dir, cursor, maxBytes);
  else {
    const r = await readStream(job.dir, stream, cursor[stream], maxBytes);
    read = { chunks: r.data.length ? [{ stream, data: r.data }] : [], cursor: { ...cursor, [stream]: r.next } };
  }
  if (read.chunks.length === 0) return { chunks: [], cursor: read.cursor };
  // Read after the bytes: the shim writes an entry before the bytes it describes, so every byte read is covered.
  const entries = await readIndex(job.dir, (await listOut(job.dir)).index);
  return { chunks: splitByArrival(withOffsets(read.chunks, read.cursor), entries).map(toWire), cursor: read.cursor };
}

/** Base64 always (output is bytes); the same as text too when the piece is valid UTF-8. */
function toWire(c: TimedChunk): LogChunk {
  return { stream: c.stream, data: c.data.toString('base64'), ...(isUtf8(c.data) ? { text: c.data.toString('utf8') } : {}), at: c.at };
}

/** True when the job has ended, its shim has drained every pipe, and the cursor is at the end. */
async function outputComplete(job: Job, cursor: Cursor, stream: 'stdout' | 'stderr' | 'both'): Promise<boolean> {
  if (!isTerminal(job.state)) return false;
  // A job that never had a process has no shim that would write `closed`.
  if (isSpawnFailure(job.state) || job.state.pid === null) return true;
  if (!(await readClosedFile(job.dir))) return false;
  const [out, err] = await Promise.all([streamInfo(job.dir, 'stdout'), streamInfo(job.dir, 'stderr')]);
  const outDone = stream === 'stderr' || cursor.stdout >= out.end;
  const errDone = stream === 'stdout' || cursor.stderr >= err.end;
  return outDone && errDone;
}
