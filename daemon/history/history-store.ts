// The history store (issue 14): every finished run, durable and bounded. Runs are appended to
// JSON Lines segments (daemon/history/segment-files.ts) with one write + fdatasync per batch of
// runs recorded together (group commit), so a SIGKILL of the daemon loses at most the batch being
// written, never an older run; a torn last line is cut off at the next start. In memory the runs
// are columns (columns.ts); bounds by count and age drop the oldest, and maintain() deletes
// segments that hold only dropped runs and rewrites (temp file + rename) one whose kept part is
// under half of it — off the hot path, on sealed segments only, so appends never wait for it.

import { closeSync, mkdirSync, openSync, readSync, renameSync, statSync } from 'node:fs';
import { open, readFile, rm, writeFile, type FileHandle } from 'node:fs/promises';
import type { Baseline, HistoryRun } from '../../shared/history.js';
import { syncDir } from '../store/files.js';
import { BaselineBook } from './baseline.js';
import { decodeRun, encodeRun } from './codec.js';
import { RunColumns, type RunLocation } from './columns.js';
import { loadHistory, type LoadedSegment } from './load.js';
import type { HistoryReader, RunTable } from './reader.js';
import { segmentBytes, segmentFile, setAside } from './segment-files.js';
import { historyBounds, segmentRunsFor, type HistorySettings } from './settings.js';

export interface HistoryStoreOptions extends HistorySettings {
  /** Runs per segment file (default from maxRuns, settings.ts). */
  segmentRuns?: number;
  now?: () => number;
}

/** Which runs `recent` lists: of one job (id) or name, ended since a time; newest first, at most `limit`. */
export interface RecentFilter {
  jobId?: number;
  name?: string;
  since?: number;
  limit: number;
}

type Segment = LoadedSegment & { sealed: boolean };

export class HistoryStore implements HistoryReader {
  readonly warnings: string[] = [];
  private readonly columns: RunColumns;
  private readonly book = new BaselineBook();
  private segments: Segment[] = [];
  private nextSeq = 1;
  private readonly maxRuns: number;
  private readonly maxAgeMs: number;
  private readonly segmentRuns: number;
  private readonly now: () => number;
  /** False when the directory cannot be used: runs are then kept in memory only (and said so). */
  private durable = true;
  private pending: { segment: Segment; seq: number; line: string }[] = [];
  /** Lines recorded but not yet written, by seq (a stderr tail asked for meanwhile is read from here). */
  private readonly unwritten = new Map<number, string>();
  private handle: { segment: Segment; fh: FileHandle } | null = null;
  private readonly readFds = new Map<number, number>();
  private nextCommit: Promise<void> | null = null;
  /** The last write failed (a full disk): said once, and once more when writing works again. */
  private failing = false;
  private chain: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly dir: string,
    options: HistoryStoreOptions,
  ) {
    const bounds = historyBounds(options);
    this.maxRuns = bounds.maxRuns;
    this.maxAgeMs = bounds.maxAgeMs;
    this.segmentRuns = options.segmentRuns ?? segmentRunsFor(this.maxRuns);
    this.now = options.now ?? Date.now;
    this.columns = new RunColumns(this.maxRuns);
  }

  /** Opens (creating) the history in `dir` and loads it. Never throws: problems become warnings. */
  static open(dir: string, options: HistoryStoreOptions = {}): HistoryStore {
    const store = new HistoryStore(dir, options);
    store.load();
    return store;
  }

  private load(): void {
    if (!this.prepareDir()) return;
    // Room for what the files hold (a record is at least ~300 bytes), so loading never regrows the columns.
    this.columns.reserve(Math.ceil(segmentBytes(this.dir) / 300));
    try {
      const loaded = loadHistory(this.dir, (run, at) => this.take(run, at));
      this.warnings.push(...loaded.warnings);
      this.segments = loaded.segments.map((s) => ({ ...s, sealed: !s.appendable || s.lines >= this.segmentRuns }));
      this.nextSeq = loaded.nextSeq;
    } catch (err) {
      this.warnings.push(`the history in ${this.dir} could not be read (${(err as Error).message}); runs are recorded from now on`);
    }
    this.applyBounds();
    // A last segment holding only dropped runs is not appended to: maintain() can then delete it.
    const last = this.segments[this.segments.length - 1];
    if (last && this.columns.size === 0) last.sealed = true;
  }

  /** The history directory exists and is a directory (a file in its place is set aside); false: memory only. */
  private prepareDir(): boolean {
    try {
      if (statSync(this.dir, { throwIfNoEntry: false })?.isDirectory() === false) this.warnings.push(`${this.dir} was not a directory; set aside as ${setAside(this.dir)}`);
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      return true;
    } catch (err) {
      this.durable = false;
      this.warnings.push(`the history directory ${this.dir} cannot be used (${(err as Error).message}); runs are kept in memory only until the next start`);
      return false;
    }
  }

  private take(run: HistoryRun, at: RunLocation): void {
    this.columns.push(run, at);
    this.book.note(run);
  }

  get size(): number {
    return this.columns.size;
  }

  /** Interned strings and lists held for the kept runs (and dropped ones until the next maintain()). */
  get interned(): number {
    return this.columns.interned;
  }

  /** Records a finished run: it gets the next seq, is visible at once, and durable after the next flush (started now). */
  record(input: Omit<HistoryRun, 'seq'>): HistoryRun {
    const run: HistoryRun = { ...input, seq: this.nextSeq++ };
    const line = encodeRun(run);
    const length = Buffer.byteLength(line);
    const segment = this.activeSegment(run.seq);
    const at = { segment: segment.id, offset: segment.bytes, length };
    segment.bytes += length;
    segment.lines++;
    segment.lastSeq = run.seq;
    if (segment.lines >= this.segmentRuns) segment.sealed = true;
    this.take(run, at);
    this.applyBounds();
    if (this.durable) {
      this.pending.push({ segment, seq: run.seq, line });
      this.unwritten.set(run.seq, line);
      this.flush().then(
        () => {
          if (this.failing) this.warn('the history is being saved again');
          this.failing = false;
        },
        (err: unknown) => {
          // Once per failing spell (a full disk would otherwise log at every run end); the runs stay queued.
          if (!this.failing) this.warn(`could not save runs to the history (${(err as Error).message}); they stay queued and are retried with each new run`);
          this.failing = true;
        },
      );
    }
    return run;
  }

  private activeSegment(seq: number): Segment {
    const last = this.segments[this.segments.length - 1];
    if (last && !last.sealed) return last;
    const id = seq;
    const segment: Segment = { id, file: segmentFile(this.dir, id), lines: 0, bytes: 0, lastSeq: id - 1, appendable: true, sealed: false };
    this.segments.push(segment);
    return segment;
  }

  /** Drops the oldest runs beyond the count bound and those that ended before the age bound. */
  private applyBounds(): void {
    const cutoff = this.now() - this.maxAgeMs;
    let drop = Math.max(0, this.columns.size - this.maxRuns);
    while (drop < this.columns.size && this.columns.endedAt(drop) < cutoff) drop++;
    if (drop === 0) return;
    for (let n = 0; n < drop; n++) if (this.columns.isSuccessAt(n)) this.book.forget(this.columns.signatureAt(n), this.columns.seqAt(n));
    this.columns.dropOldest(drop);
  }

  // ---- reading ----------------------------------------------------------------------------------

  runsSince(since: number): HistoryRun[] {
    const out: HistoryRun[] = [];
    const tail = (seq: number) => this.tailOf(seq);
    for (let n = 0; n < this.columns.size; n++) if (this.columns.endedAt(n) >= since) out.push(this.columns.materialise(n, tail));
    return out;
  }

  /** The runs runsSince gives, read from the columns in place (what `analyze` reads); use it before the store changes again. */
  runTableSince(since: number): RunTable {
    return this.columns.viewSince(since);
  }

  baseline(signature: string): Baseline | null {
    return this.book.baseline(signature);
  }

  /** Runs newest first, filtered (the `history` method). */
  /** Runs kept per terminal state, how many were restarts, and when the oldest ended: from the columns, no run built. */
  tally(): { byState: Partial<Record<HistoryRun['state'], number>>; restarts: number; oldestEndedAt: number | null } {
    const byState: Partial<Record<HistoryRun['state'], number>> = {};
    let restarts = 0;
    for (let n = 0; n < this.columns.size; n++) {
      const state = this.columns.stateAt(n);
      byState[state] = (byState[state] ?? 0) + 1;
      if (this.columns.restartsAt(n) > 0) restarts++;
    }
    return { byState, restarts, oldestEndedAt: this.columns.size ? this.columns.endedAt(0) : null };
  }

  recent(filter: RecentFilter): HistoryRun[] {
    const out: HistoryRun[] = [];
    const tail = (seq: number) => this.tailOf(seq);
    for (let n = this.columns.size - 1; n >= 0 && out.length < filter.limit; n--) {
      if (filter.since !== undefined && this.columns.endedAt(n) < filter.since) continue;
      if (filter.jobId !== undefined && this.columns.jobIdAt(n) !== filter.jobId) continue;
      if (filter.name !== undefined && this.columns.nameAt(n) !== filter.name) continue;
      out.push(this.columns.materialise(n, tail));
    }
    return out;
  }

  /** A kept run's stderr tail, read back from its line on disk ([] when it cannot be). */
  private tailOf(seq: number): string[] {
    const queued = this.unwritten.get(seq);
    if (queued !== undefined) return decodeRun(queued)?.stderrTail ?? [];
    const n = this.columns.indexOfSeq(seq);
    if (n < 0) return [];
    const at = this.columns.locationAt(n);
    try {
      const buf = Buffer.alloc(at.length);
      readSync(this.readFd(at.segment), buf, 0, at.length, at.offset);
      return decodeRun(buf.toString('utf8'))?.stderrTail ?? [];
    } catch {
      return [];
    }
  }

  private readFd(segment: number): number {
    let fd = this.readFds.get(segment);
    if (fd === undefined) this.readFds.set(segment, (fd = openSync(segmentFile(this.dir, segment), 'r')));
    return fd;
  }

  private closeReadFd(segment: number): void {
    const fd = this.readFds.get(segment);
    if (fd === undefined) return;
    this.readFds.delete(segment);
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
  }

  // ---- writing ----------------------------------------------------------------------------------

  /** Makes every run recorded so far durable (concurrent callers share one write + fdatasync per segment). */
  flush(): Promise<void> {
    if (!this.nextCommit) {
      this.nextCommit = this.exclusive(() => {
        this.nextCommit = null;
        return this.writePending();
      });
    }
    return this.nextCommit;
  }

  private exclusive<T>(op: () => Promise<T>): Promise<T> {
    const run = this.chain.then(op);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async writePending(): Promise<void> {
    while (this.pending.length) {
      const segment = this.pending[0]!.segment;
      let count = 0;
      while (count < this.pending.length && this.pending[count]!.segment === segment) count++;
      const batch = this.pending.slice(0, count);
      const data = Buffer.from(batch.map((p) => p.line).join(''));
      const fh = await this.openFor(segment);
      const start = (await fh.stat()).size;
      try {
        for (let off = 0; off < data.length; ) {
          const { bytesWritten } = await fh.write(data, off, data.length - off);
          if (bytesWritten <= 0) throw new Error('the history write made no progress');
          off += bytesWritten;
        }
        await fh.datasync();
      } catch (err) {
        // Cut back to where the batch began, so the offsets recorded for it stay right for the retry.
        await fh.truncate(start).catch(() => undefined);
        await this.closeHandle();
        throw err;
      }
      this.pending.splice(0, count);
      for (const p of batch) this.unwritten.delete(p.seq);
    }
  }

  private async openFor(segment: Segment): Promise<FileHandle> {
    if (this.handle?.segment === segment) return this.handle.fh;
    await this.closeHandle();
    const fh = await open(segment.file, 'a', 0o600);
    syncDir(this.dir);
    this.handle = { segment, fh };
    return fh;
  }

  private async closeHandle(): Promise<void> {
    const h = this.handle;
    this.handle = null;
    await h?.fh.close().catch(() => undefined);
  }

  // ---- maintenance ------------------------------------------------------------------------------

  /**
   * Applies the age bound, deletes sealed segments that hold only dropped runs, and rewrites the
   * oldest sealed segment when most of it was dropped. Runs in turn with writes; never throws.
   */
  maintain(): Promise<void> {
    return this.exclusive(async () => {
      this.applyBounds();
      this.columns.repackIfSparse();
      if (!this.durable) return;
      const firstKept = this.columns.size ? this.columns.seqAt(0) : this.nextSeq;
      for (const seg of [...this.segments]) {
        if (!seg.sealed || seg === this.handle?.segment || this.pending.some((p) => p.segment === seg)) continue;
        try {
          if (seg.lastSeq < firstKept) await this.deleteSegment(seg);
          else if (seg.id < firstKept) await this.rewriteSegment(seg, firstKept);
        } catch (err) {
          this.warn(`history compaction of ${seg.file} failed (${(err as Error).message}); tried again later`);
        }
      }
    });
  }

  private async deleteSegment(seg: Segment): Promise<void> {
    this.closeReadFd(seg.id);
    await rm(seg.file, { force: true });
    this.segments = this.segments.filter((s) => s !== seg);
  }

  /** Keeps the segment's runs from `firstKept` on: temp file, fsync, rename; then their offsets move. */
  private async rewriteSegment(seg: Segment, firstKept: number): Promise<void> {
    const n0 = this.columns.indexOfSeq(firstKept);
    if (n0 < 0) return;
    const cut = this.columns.locationAt(n0).offset;
    const keptLines = seg.lastSeq - firstKept + 1;
    // Rewriting pays only when at least half of the file is dropped runs.
    if (cut === 0 || cut < (seg.bytes - cut)) return;
    const data = (await readFile(seg.file)).subarray(cut, seg.bytes);
    const tmp = `${seg.file}.tmp`;
    await writeFile(tmp, data, { mode: 0o600, flush: true });
    // From the rename to the offsets' update nothing else runs (no await): a tail read sees either both old or both new.
    renameSync(tmp, seg.file);
    this.closeReadFd(seg.id);
    for (let n = n0; n < this.columns.size; n++) {
      const at = this.columns.locationAt(n);
      if (at.segment !== seg.id) break;
      this.columns.setLocation(n, { ...at, offset: at.offset - cut });
    }
    seg.bytes -= cut;
    seg.lines = Math.min(seg.lines, keptLines);
    syncDir(this.dir);
  }

  /** Writes what is pending and closes the files. */
  async close(): Promise<void> {
    await this.flush().catch((err: unknown) => this.warn(`the last runs could not be saved to the history (${(err as Error).message})`));
    await this.exclusive(() => this.closeHandle());
    for (const id of [...this.readFds.keys()]) this.closeReadFd(id);
  }

  /** Problems after start-up go to this (the daemon logs them); at start they are in `warnings`. */
  onWarning: (message: string) => void = () => undefined;

  private warn(message: string): void {
    this.onWarning(message);
  }
}
