// Reads the output a job's shim (daemon/shim/procd-shim.pl) writes to <jobDir>/out/: segment files
// `stdout.<offset>` / `stderr.<offset>` named by the global byte offset of their first byte, and the
// index `index.<n>` of lines `<epochMs> <o|e> <offset>` saying when bytes of a stream from an
// offset on arrived and in which order the two streams alternated. The shim's header comment is
// the format's definition. Offsets are global: they count every byte the job ever wrote to the
// stream, including the oldest ones the disk cap dropped, so a cursor stays valid while the job
// writes on and old segments disappear.
//
// The shim writes concurrently with these readers. Every call takes one snapshot: it stats the
// streams' ends first and reads the index after, and because the shim writes an index entry before
// the bytes it describes, every byte inside the snapshot is covered by the entries read.

import { open, readdir, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { OutputInfo } from '../../shared/job.js';
import { readIndex, type Entry } from './segment-index.js';

export type StreamName = 'stdout' | 'stderr';
export const STREAMS: readonly StreamName[] = ['stdout', 'stderr'];

/** A position in both streams: the global offset of the next byte to read from each. */
export interface Cursor {
  stdout: number;
  stderr: number;
}

export interface StreamInfo {
  /** First kept offset: the number of bytes dropped by the disk cap. */
  start: number;
  /** Total bytes the job has written to the stream. */
  end: number;
  /** Last modification of the stream's newest segment; 0 when it never wrote. */
  mtimeMs: number;
}

export interface StreamChunk {
  stream: StreamName;
  data: Buffer;
}

/**
 * Bound of index times: within one index run all bytes arrived in [entry time, +1000 ms) (today's
 * shim starts a new run after 100 ms, older ones after 1000 ms, and their files are still read).
 */
export const INDEX_INTERVAL_MS = 1000;
const BLOCK = 64 * 1024;
const NAME = /^(stdout|stderr|index)\.([0-9]{16})$/;

// ---- the public API ----------------------------------------------------------------------------

export async function streamInfo(jobDir: string, stream: StreamName): Promise<StreamInfo> {
  const snap = await retryVanished(async () => snapshotStream(jobDir, (await listOut(jobDir))[stream]));
  // Whole milliseconds like every other timestamp of the model (the file system gives fractions).
  return { start: snap.start, end: snap.end, mtimeMs: Math.floor(snap.mtimeMs) };
}

/** Sizes for the job model: totals, dropped bytes, and when the job last wrote (null: never). */
export async function readOutputInfo(jobDir: string): Promise<OutputInfo> {
  const [out, err] = await Promise.all(STREAMS.map((s) => streamInfo(jobDir, s)));
  const last = Math.max(out!.end > 0 ? out!.mtimeMs : 0, err!.end > 0 ? err!.mtimeMs : 0);
  return { stdoutBytes: out!.end, stderrBytes: err!.end, droppedBytes: out!.start + err!.start, lastOutputAt: last > 0 ? last : null };
}

/**
 * Up to maxBytes of one stream from global offset `from`. When `from` is below the first kept
 * offset, reading starts there and `skipped` says how many bytes were lost to the cap.
 * `next` is the offset to continue from (equal to `from + skipped` when nothing new was there).
 */
export async function readStream(jobDir: string, stream: StreamName, from: number, maxBytes: number): Promise<{ data: Buffer; next: number; skipped: number }> {
  return retryVanished(async () => {
    const snap = await snapshotStream(jobDir, (await listOut(jobDir))[stream]);
    const pos = Math.max(from, snap.start);
    const reader = new SegmentReader(jobDir, stream, snap);
    try {
      const data = await reader.read(pos, Math.min(snap.end, pos + Math.max(0, maxBytes)));
      return { data, next: pos + data.length, skipped: pos - from > 0 ? pos - from : 0 };
    } finally {
      await reader.close();
    }
  });
}

/**
 * Up to maxBytes of both streams from `cursor`, as chunks in the order the shim received them
 * (consecutive bytes of one stream come as one chunk). Exact as long as the index reaches back far
 * enough; bytes older than the oldest kept index entry come stdout first, then stderr.
 * `skipped` counts the bytes the cursor pointed at that the cap has dropped since.
 * With `joinRuns` false, consecutive bytes of one stream may come as several chunks.
 */
export async function readInterleaved(jobDir: string, cursor: Cursor, maxBytes: number, joinRuns = true): Promise<{ chunks: StreamChunk[]; cursor: Cursor; skipped: number }> {
  return retryVanished(async () => {
    const view = await openView(jobDir);
    const next = { ...cursor };
    let skipped = 0;
    for (const s of STREAMS) {
      if (next[s] < view.snaps[s].start) {
        skipped += view.snaps[s].start - next[s];
        next[s] = view.snaps[s].start;
      }
    }
    // Consecutive runs of one stream become one chunk, joined once at the end (joining as they come copies quadratically).
    const parts: { stream: StreamName; data: Buffer[] }[] = [];
    let budget = Math.max(0, maxBytes);
    try {
      for (const run of view.runs) {
        if (budget <= 0) break;
        const from = Math.max(next[run.s], run.a);
        if (from >= run.b) continue;
        const data = await view.readers[run.s].read(from, Math.min(run.b, from + budget));
        if (data.length === 0) break;
        const last = parts[parts.length - 1];
        if (last && last.stream === run.s) last.data.push(data);
        else parts.push({ stream: run.s, data: [data] });
        next[run.s] = from + data.length;
        budget -= data.length;
      }
    } finally {
      await view.close();
    }
    // joinRuns false: one chunk per run read (a reader that splits lines needs no copy of them joined).
    const chunks = joinRuns ? parts.map((p): StreamChunk => ({ stream: p.stream, data: p.data.length === 1 ? p.data[0]! : Buffer.concat(p.data) })) : parts.flatMap((p) => p.data.map((data): StreamChunk => ({ stream: p.stream, data })));
    return { chunks, cursor: next, skipped };
  });
}

/**
 * The cursor where the last `lines` lines start, of one stream or of the interleaved view ('both').
 * For one stream the other stream's position is its end. A trailing partial line counts as a line;
 * fewer lines than asked gives the first kept bytes. Scans backwards in 64 KiB blocks, so the cost
 * is proportional to the bytes of those lines, not to the size of the stream.
 */
export async function tailCursor(jobDir: string, stream: StreamName | 'both', lines: number): Promise<Cursor> {
  return retryVanished(async () => {
    const view = await openView(jobDir, stream === 'both');
    try {
      const runs = stream === 'both' ? view.runs : [{ s: stream, a: view.snaps[stream].start, b: view.snaps[stream].end, t: null }];
      const found = await findTail(view, runs, lines);
      if (stream !== 'both') {
        const c: Cursor = { stdout: view.snaps.stdout.end, stderr: view.snaps.stderr.end };
        c[stream] = found ? found.pos : view.snaps[stream].start;
        return c;
      }
      if (!found) return { stdout: view.snaps.stdout.start, stderr: view.snaps.stderr.start };
      return cursorFromRun(view.runs, found.run, view.snaps, { s: view.runs[found.run]!.s, pos: found.pos });
    } finally {
      await view.close();
    }
  });
}

/**
 * The cursor of the first bytes that arrived at or after `epochMs`, at index granularity: it
 * includes every byte that arrived at or after that time, plus at most INDEX_INTERVAL_MS worth of
 * bytes that arrived just before it. A time before the oldest kept index entry gives the oldest
 * kept bytes; a time after the last arrival gives the streams' ends.
 */
export async function cursorAtTime(jobDir: string, epochMs: number): Promise<Cursor> {
  const view = await retryVanished(() => openView(jobDir));
  await view.close();
  const { runs, snaps } = view;
  const starts: Cursor = { stdout: snaps.stdout.start, stderr: snaps.stderr.start };
  const ends: Cursor = { stdout: snaps.stdout.end, stderr: snaps.stderr.end };
  const timed = runs.map((r, i) => i).filter((i) => runs[i]!.t !== null);
  if (timed.length === 0) return starts;
  const j = timed.find((i) => runs[i]!.t! >= epochMs);
  let k: number;
  if (j === undefined) {
    const last = timed[timed.length - 1]!;
    if (epochMs >= runs[last]!.t! + INDEX_INTERVAL_MS) return ends;
    k = last;
  } else {
    const prev = runs[j - 1];
    if (!prev || prev.t === null) return starts; // before the first entry: include the untimed prefix
    k = prev.t + INDEX_INTERVAL_MS > epochMs ? j - 1 : j;
  }
  return cursorFromRun(runs, k, snaps, null);
}

// ---- snapshots ---------------------------------------------------------------------------------

interface Seg {
  start: number;
  name: string;
}

interface Snap {
  segs: Seg[];
  start: number;
  end: number;
  mtimeMs: number;
}

/** A contiguous piece of one stream in arrival order: bytes [a, b); t = arrival time of byte a (null: unknown). */
interface Run {
  s: StreamName;
  a: number;
  b: number;
  t: number | null;
}

interface View {
  snaps: Record<StreamName, Snap>;
  runs: Run[];
  readers: Record<StreamName, SegmentReader>;
  close(): Promise<void>;
}

export async function listOut(jobDir: string): Promise<Record<StreamName | 'index', Seg[]>> {
  const result: Record<StreamName | 'index', Seg[]> = { stdout: [], stderr: [], index: [] };
  let names: string[];
  try {
    names = await readdir(join(jobDir, 'out'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return result;
    throw err;
  }
  for (const name of names) {
    const m = NAME.exec(name);
    if (m) result[m[1] as StreamName | 'index'].push({ start: Number(m[2]), name });
  }
  for (const list of Object.values(result)) list.sort((x, y) => x.start - y.start);
  return result;
}

async function snapshotStream(jobDir: string, segs: Seg[]): Promise<Snap> {
  const last = segs[segs.length - 1];
  if (!last) return { segs, start: 0, end: 0, mtimeMs: 0 };
  const st = await stat(join(jobDir, 'out', last.name)); // the newest segment is never deleted
  return { segs, start: segs[0]!.start, end: last.start + st.size, mtimeMs: st.mtimeMs };
}

/** Snapshot of both streams, then (listed and read after it) the index, turned into runs. */
async function openView(jobDir: string, withIndex = true): Promise<View> {
  const listing = await listOut(jobDir);
  const [o, e] = await Promise.all([snapshotStream(jobDir, listing.stdout), snapshotStream(jobDir, listing.stderr)]);
  const snaps = { stdout: o, stderr: e };
  const entries = withIndex ? await readIndex(jobDir, (await listOut(jobDir)).index) : [];
  const readers = { stdout: new SegmentReader(jobDir, 'stdout', o), stderr: new SegmentReader(jobDir, 'stderr', e) };
  return {
    snaps,
    runs: buildRuns(entries, snaps),
    readers,
    close: async () => {
      await Promise.all([readers.stdout.close(), readers.stderr.close()]);
    },
  };
}

/**
 * Runs in arrival order: first the bytes older than the oldest index entry (stdout, then stderr),
 * then one run per entry, up to that stream's next entry. The list ends at the first run that the
 * snapshot cuts short (its stream's next entry lies beyond the snapshot's end): what comes after
 * it arrived after bytes the snapshot does not have yet.
 */
function buildRuns(entries: Entry[], snaps: Record<StreamName, Snap>): Run[] {
  const runs: Run[] = [];
  const firstOff: Cursor = { stdout: Infinity, stderr: Infinity };
  const nextOff = new Array<number>(entries.length);
  for (let i = entries.length - 1; i >= 0; i--) {
    const entry = entries[i]!;
    nextOff[i] = firstOff[entry.s];
    firstOff[entry.s] = entry.off;
  }
  const push = (s: StreamName, a: number, bTrue: number, t: number | null): boolean => {
    const end = snaps[s].end;
    const b = Math.min(bTrue === Infinity ? end : bTrue, end);
    if (b > a || t !== null) runs.push({ s, a, b: Math.max(a, b), t });
    return bTrue === Infinity ? a <= end : bTrue <= end;
  };
  if (!push('stdout', snaps.stdout.start, firstOff.stdout, null)) return runs;
  if (!push('stderr', snaps.stderr.start, firstOff.stderr, null)) return runs;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    if (!push(entry.s, entry.off, nextOff[i]!, entry.t)) break;
  }
  return runs;
}

/** The cursor at the start of run k (or at `at` inside it): each stream at its first kept byte from there on. */
function cursorFromRun(runs: Run[], k: number, snaps: Record<StreamName, Snap>, at: { s: StreamName; pos: number } | null): Cursor {
  const c: Cursor = { stdout: snaps.stdout.end, stderr: snaps.stderr.end };
  const seen = new Set<StreamName>();
  if (at) {
    c[at.s] = at.pos;
    seen.add(at.s);
  }
  for (let i = k; i < runs.length && seen.size < 2; i++) {
    const run = runs[i]!;
    if (seen.has(run.s)) continue;
    seen.add(run.s);
    c[run.s] = Math.max(run.a, snaps[run.s].start);
  }
  return c;
}

// ---- reading bytes -----------------------------------------------------------------------------

/** Reads byte ranges of one stream across its segment files, keeping the current file open. */
class SegmentReader {
  private fh: FileHandle | null = null;
  private fhSeg = -1;

  constructor(
    private readonly jobDir: string,
    private readonly stream: StreamName,
    private readonly snap: Snap,
  ) {}

  /** Bytes [from, to) clipped to the snapshot; a segment that vanished throws ENOENT. */
  async read(from: number, to: number): Promise<Buffer> {
    const { segs, end } = this.snap;
    to = Math.min(to, end);
    if (from >= to) return Buffer.alloc(0);
    const out = Buffer.allocUnsafe(to - from);
    let pos = from;
    while (pos < to) {
      const i = this.segmentAt(pos);
      if (i < 0) break;
      const segEnd = i + 1 < segs.length ? segs[i + 1]!.start : end;
      const n = Math.min(segEnd, to) - pos;
      if (this.fhSeg !== i) {
        await this.close();
        this.fh = await open(join(this.jobDir, 'out', segs[i]!.name), 'r');
        this.fhSeg = i;
      }
      const { bytesRead } = await this.fh!.read(out, pos - from, n, pos - segs[i]!.start);
      pos += bytesRead;
      if (bytesRead < n) break; // cannot happen within a snapshot; never loop on it
    }
    return pos - from === out.length ? out : out.subarray(0, pos - from);
  }

  async close(): Promise<void> {
    const fh = this.fh;
    this.fh = null;
    this.fhSeg = -1;
    await fh?.close();
  }

  private segmentAt(pos: number): number {
    const segs = this.snap.segs;
    let lo = 0;
    let hi = segs.length - 1;
    if (hi < 0 || pos < segs[0]!.start) return -1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (segs[mid]!.start <= pos) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}

/** Scans runs backwards for the start of the last `lines` lines; null when there are fewer. */
async function findTail(view: View, runs: Run[], lines: number): Promise<{ run: number; pos: number } | null> {
  if (lines <= 0) {
    // Zero lines: the end of the view.
    return runs.length ? { run: runs.length - 1, pos: runs[runs.length - 1]!.b } : null;
  }
  let need = lines;
  let first = true; // the view's very last byte: a final '\n' ends the last line, it does not start one
  for (let r = runs.length - 1; r >= 0; r--) {
    const run = runs[r]!;
    const reader = view.readers[run.s];
    const lo = Math.max(run.a, view.snaps[run.s].start);
    for (let hi = run.b; hi > lo; ) {
      const from = Math.max(lo, hi - BLOCK);
      const block = await reader.read(from, hi);
      for (let i = block.length - 1; i >= 0; i--) {
        if (block[i] !== 0x0a) {
          first = false;
          continue;
        }
        if (first) {
          first = false;
          continue;
        }
        if (--need === 0) return { run: r, pos: from + i + 1 };
      }
      hi = from;
    }
  }
  return null;
}

/** Runs fn again (at most 3 times) when a segment it was reading was deleted by the cap meanwhile. */
async function retryVanished<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 2) throw err;
    }
  }
}
