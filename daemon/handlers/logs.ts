import { isUtf8 } from 'node:buffer';
import { setTimeout as delay } from 'node:timers/promises';
import { ErrorCode, ProcdError } from '../../shared/errors.js';
import { isSpawnFailure, isTerminal, type Job } from '../../shared/job.js';
import type { LogChunk, LogsResult, ParamsOf } from '../../shared/methods.js';
import { splitByArrival, withOffsets, type TimedChunk } from '../output/chunk-times.js';
import { readIndex } from '../output/segment-index.js';
import { cursorAtTime, listOut, readInterleaved, readStream, streamInfo, tailCursor, type Cursor } from '../output/segments.js';
import { readClosedFile } from '../output/spawn-spec.js';
import type { CallContext } from '../server/dispatch.js';
import type { DaemonContext } from './context.js';
import { lineFilter, readLines, type LinesAnswer } from './logs-lines.js';
import { defaultRun, findRun, firstRun, nextRun, runToRead, type RunTarget } from './logs-runs.js';

const DEFAULT_MAX_BYTES = 1 << 20;
const FOLLOW_POLL_MS = 50;

/**
 * logs: reads captured output from a cursor (or the last N lines, or since a time). With waitMs
 * it long-polls: it answers as soon as new bytes exist, the output is complete, or the wait ends.
 * A job that restarts has one output per run: a read stays in one run; without `run`, once that
 * run's output is complete and the job has gone on to another, the cursor moves on to it.
 */
export async function logs(ctx: DaemonContext, params: ParamsOf<'logs'>, call: CallContext): Promise<LogsResult> {
  const stream = params.stream ?? 'both';
  const maxBytes = params.maxBytes ?? DEFAULT_MAX_BYTES;
  const filter = params.lines ? lineFilter(params.lines) : null;
  let job = ctx.table.resolve(params.job);
  const pinned = params.run;
  if (pinned !== undefined && params.allRuns) throw new ProcdError(ErrorCode.InvalidParams, 'invalid params: give run or allRuns, not both', { field: 'params.run' });
  if (pinned !== undefined && params.cursor?.run !== undefined && params.cursor.run !== pinned) {
    throw new ProcdError(ErrorCode.InvalidParams, `invalid params.cursor.run: the cursor is in run ${params.cursor.run}, not in run ${pinned}`, { field: 'params.cursor.run' });
  }
  let target = await (params.cursor?.run !== undefined || pinned !== undefined ? runToRead(job, params.cursor?.run ?? pinned!) : params.allRuns ? firstRun(job, params.since) : runToRead(job, defaultRun(job)));
  let cursor: Cursor = params.cursor ? await checkedCursor(target, params.cursor) : await startCursor(target.dir, params, stream);
  const deadline = Date.now() + (params.waitMs ?? 0);
  for (;;) {
    let read: { chunks: LogChunk[]; cursor: Cursor; lines?: LinesAnswer };
    if (filter) {
      const r = await readLines(target.dir, stream, cursor, filter, await noMoreOutput(job, target));
      read = { chunks: [], cursor: r.cursor, lines: r.answer };
    } else read = await readFrom(target.dir, stream, cursor, maxBytes);
    job = ctx.table.get(job.id) ?? job;
    // The run read may have ended meanwhile: its record now says where it is and how it ended.
    target = findRun(job, target.run) ?? target;
    // Also on a read that returned bytes: a finished run's first read says when it was the last one.
    const complete = await outputComplete(job, target, read.cursor, stream);
    const next = complete && pinned === undefined ? await nextRun(job, target.run, params.allRuns ? params.since : undefined) : null;
    const eof = complete && next === null && (pinned !== undefined || isTerminal(job.state));
    // A filtered read answers once it has lines, cut some, or reached its scan bound; else it reads on as new output comes.
    const answered = read.lines ? read.lines.items.length > 0 || read.lines.cut !== null || read.lines.scan.limited : read.chunks.length > 0;
    if (answered || eof || next || Date.now() >= deadline || call.isClosed()) {
      const [out, err] = await Promise.all([streamInfo(target.dir, 'stdout'), streamInfo(target.dir, 'stderr')]);
      // The next run starts at its beginning, or where `tailLines`/`since` say when they are given (allRuns: each run's own tail).
      const moved = next ? { ...(await startCursor(next.dir, params, stream)), run: next.run } : null;
      const lines = read.lines ? { lines: read.lines } : {};
      return { chunks: read.chunks, run: target.run, cursor: moved ?? { ...read.cursor, run: target.run }, eof, dropped: { stdout: out.start, stderr: err.start }, state: job.state.kind, ...lines };
    }
    // Lines scanned without an answer are passed: the wait goes on from after them.
    if (read.lines) cursor = read.cursor;
    await delay(Math.min(FOLLOW_POLL_MS, Math.max(1, deadline - Date.now())));
  }
}

/** Where reading starts in a run: the last N lines, or from a time, or both (whichever starts later). */
async function startCursor(dir: string, params: ParamsOf<'logs'>, stream: 'stdout' | 'stderr' | 'both'): Promise<Cursor> {
  const tail = params.tailLines === undefined ? null : await tailCursor(dir, stream, params.tailLines);
  const since = params.since === undefined ? null : await cursorAtTime(dir, params.since);
  if (tail && since) return { stdout: Math.max(tail.stdout, since.stdout), stderr: Math.max(tail.stderr, since.stderr) };
  return tail ?? since ?? { stdout: 0, stderr: 0 };
}

async function readFrom(dir: string, stream: 'stdout' | 'stderr' | 'both', cursor: Cursor, maxBytes: number): Promise<{ chunks: LogChunk[]; cursor: Cursor }> {
  let read: { chunks: { stream: 'stdout' | 'stderr'; data: Buffer }[]; cursor: Cursor };
  if (stream === 'both') read = await readInterleaved(dir, cursor, maxBytes);
  else {
    const r = await readStream(dir, stream, cursor[stream], maxBytes);
    read = { chunks: r.data.length ? [{ stream, data: r.data }] : [], cursor: { ...cursor, [stream]: r.next } };
  }
  if (read.chunks.length === 0) return { chunks: [], cursor: read.cursor };
  // Read after the bytes: the shim writes an entry before the bytes it describes, so every byte read is covered.
  const entries = await readIndex(dir, (await listOut(dir)).index);
  return { chunks: splitByArrival(withOffsets(read.chunks, read.cursor), entries).map(toWire), cursor: read.cursor };
}

/** Base64 always (output is bytes); the same as text too when the piece is valid UTF-8. */
function toWire(c: TimedChunk): LogChunk {
  return { stream: c.stream, data: c.data.toString('base64'), ...(isUtf8(c.data) ? { text: c.data.toString('utf8') } : {}), at: c.at };
}

/** True when the run has ended, its shim has drained every pipe, and the cursor is at the end. */
async function outputComplete(job: Job, target: RunTarget, cursor: Cursor, stream: 'stdout' | 'stderr' | 'both'): Promise<boolean> {
  if (!(await noMoreOutput(job, target))) return false;
  const [out, err] = await Promise.all([streamInfo(target.dir, 'stdout'), streamInfo(target.dir, 'stderr')]);
  const outDone = stream === 'stderr' || cursor.stdout >= out.end;
  const errDone = stream === 'stdout' || cursor.stderr >= err.end;
  return outDone && errDone;
}

/** True when no byte will be added to the run's output: it has ended and its shim has drained every pipe (or it never had one). */
async function noMoreOutput(job: Job, target: RunTarget): Promise<boolean> {
  const s = job.state;
  if (target.record === null && !isTerminal(s)) return false;
  // A run that never had a process has no shim that would write `closed`; a lost run's shim may be gone too.
  const r = target.record;
  const noShim = r ? r.outcome === 'spawn_error' || r.pid === null || r.state === 'lost' : isSpawnFailure(s) || (isTerminal(s) && s.pid === null);
  return noShim || Boolean(await readClosedFile(target.dir));
}

/** The cursor given, refused when it points past the run's output: it was not given by this job's run. */
async function checkedCursor(target: RunTarget, c: { stdout: number; stderr: number }): Promise<Cursor> {
  const [out, err] = await Promise.all([streamInfo(target.dir, 'stdout'), streamInfo(target.dir, 'stderr')]);
  if (c.stdout > out.end || c.stderr > err.end) {
    const why = `it points past the end of run ${target.run}'s output (stdout ${out.end} bytes, stderr ${err.end}): pass back a cursor a read of this job gave`;
    throw new ProcdError(ErrorCode.InvalidParams, `invalid params.cursor: ${why}`, { field: 'params.cursor' });
  }
  return { stdout: c.stdout, stderr: c.stderr };
}
