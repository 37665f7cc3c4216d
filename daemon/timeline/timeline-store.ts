// Each job's timeline on disk: timeline.jsonl in the job's own directory (removed with the job),
// one entry per line, appended with write(2) as it happens — a SIGKILLed daemon's writes are in
// the page cache, so the next daemon reads them. The files of recently written jobs stay open
// (O_APPEND, at most MAX_OPEN): a job start writes several entries, and an open + close per
// entry was most of what the timeline cost. Bounded per job: past TIMELINE_MAX_ENTRIES the file is
// rewritten with the first entries (how the job began), a `trimmed` marker and the latest ones.

import { close as closeAsync, closeSync, fstatSync, mkdir, mkdirSync, open as openAsync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { TIMELINE_KEEP_FIRST, TIMELINE_MAX_ENTRIES, type TimelineEntry } from '../../shared/timeline.js';
import { writeFileAtomic } from '../store/files.js';
import { inTimeOrder } from './timeline-entries.js';

export const TIMELINE_FILE = 'timeline.jsonl';

/** What is kept when a timeline is full: the first entries, a marker saying how many went, the latest. */
export function trimmed(entries: readonly TimelineEntry[], max = TIMELINE_MAX_ENTRIES, keepFirst = Math.min(TIMELINE_KEEP_FIRST, Math.floor(max / 4))): TimelineEntry[] {
  if (entries.length <= max) return [...entries];
  // Room to grow again before the next rewrite: a quarter of the bound.
  const keepLast = Math.max(1, Math.floor((max * 3) / 4) - keepFirst - 1);
  const first = entries.slice(0, keepFirst);
  const last = entries.slice(entries.length - keepLast);
  const dropped = entries.length - first.length - last.length;
  const at = last[0]!.at;
  return [...first, { at, run: last[0]!.run, kind: 'trimmed', detail: `${dropped} older entries dropped to keep the timeline bounded` }, ...last];
}

/** Timeline files kept open at once (least recently written closed first): more than a burst of starts. */
export const MAX_OPEN = 256;

export class TimelineStore {
  /** Lines in each job's file, counted on its first append. */
  private readonly counts = new Map<number, number>();
  /** Open files by job, in order of last write (a Map keeps insertion order: oldest first). */
  private readonly open = new Map<number, number>();
  /** Opens begun in the background (prepare), by job; close() cancels one: its file is not used. */
  private readonly opening = new Map<number, object>();

  constructor(
    private readonly jobsDir: string,
    private readonly onError: (err: unknown, job: number) => void = () => undefined,
    private readonly max = TIMELINE_MAX_ENTRIES,
  ) {}

  private file(job: number): string {
    return join(this.jobsDir, String(job), TIMELINE_FILE);
  }

  /** Appends one entry; a refusing disk costs the entry, never the caller. */
  append(job: number, entry: TimelineEntry): void {
    try {
      const fd = this.fdOf(job);
      const line = Buffer.from(`${JSON.stringify(entry)}\n`);
      // A full disk can take part of a line: write the rest (a reader skips a torn line).
      for (let off = 0; off < line.length; ) off += writeSync(fd, line, off);
      const count = this.counts.get(job)! + 1;
      this.counts.set(job, count);
      if (count > this.max) this.rewrite(job);
    } catch (err) {
      this.close(job);
      this.onError(err, job);
    }
  }

  /**
   * Opens (creating it and its directory) the job's file in the background, so that its first
   * entry does not create a file on the event loop: on a busy disk a synchronous create waits for
   * the filesystem's journal (milliseconds each, 100 jobs started at once). Entries written before
   * it is open open the file themselves; nothing waits for this.
   */
  prepare(job: number): void {
    if (this.open.has(job) || this.opening.has(job)) return;
    const token = {};
    this.opening.set(job, token);
    const file = this.file(job);
    mkdir(dirname(file), { recursive: true, mode: 0o700 }, (mkdirErr) => {
      if (mkdirErr) return void this.settle(job, token); // the first append reports it
      openAsync(file, 'a', 0o600, (err, fd) => {
        const current = this.settle(job, token);
        if (err) return;
        // Opened meanwhile by an append, or closed since (moved aside, removed): not this one.
        if (!current || this.open.has(job)) return closeAsync(fd, () => undefined);
        try {
          if (!this.counts.has(job)) this.counts.set(job, fstatSync(fd).size === 0 ? 0 : this.readLines(job).length);
        } catch {
          return closeAsync(fd, () => undefined);
        }
        this.keepOpen(job, fd);
      });
    });
  }

  /** Ends a background open; whether it is still the job's current one. */
  private settle(job: number, token: object): boolean {
    if (this.opening.get(job) !== token) return false;
    this.opening.delete(job);
    return true;
  }

  private keepOpen(job: number, fd: number): void {
    this.open.set(job, fd);
    if (this.open.size > MAX_OPEN) this.close(this.open.keys().next().value!);
  }

  /** The job's open file (opened, and its lines counted, on first use). */
  private fdOf(job: number): number {
    const known = this.open.get(job);
    if (known !== undefined) {
      // Most recently written last: the oldest is closed first when too many are open.
      this.open.delete(job);
      this.open.set(job, known);
      return known;
    }
    let fd: number;
    try {
      fd = openSync(this.file(job), 'a', 0o600);
    } catch (err) {
      // A queued job has no directory until it is launched.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      mkdirSync(dirname(this.file(job)), { recursive: true, mode: 0o700 });
      fd = openSync(this.file(job), 'a', 0o600);
    }
    try {
      // A new file has no lines: reading it is only needed for one an earlier daemon wrote.
      if (!this.counts.has(job)) this.counts.set(job, fstatSync(fd).size === 0 ? 0 : this.readLines(job).length);
    } catch (err) {
      closeSync(fd);
      throw err;
    }
    this.keepOpen(job, fd);
    return fd;
  }

  /**
   * Closes the job's file, if open: its directory was moved aside (a stale one, launcher.ts) or is
   * about to be rewritten; the next append opens the file at its path again.
   */
  close(job: number): void {
    this.opening.delete(job);
    const fd = this.open.get(job);
    if (fd === undefined) return;
    this.open.delete(job);
    try {
      closeSync(fd);
    } catch {
      // closing a file we only append to cannot lose anything
    }
  }

  /** Closes every open file (the daemon stops). */
  closeAll(): void {
    this.opening.clear();
    for (const job of [...this.open.keys()]) this.close(job);
  }

  /** How many files are open now (for tests). */
  get openFiles(): number {
    return this.open.size;
  }

  /** The job's entries in time order (a call's entry is written when it ends but dated when it came). */
  read(job: number): TimelineEntry[] {
    const entries: TimelineEntry[] = [];
    for (const line of this.readLines(job)) {
      try {
        const e = JSON.parse(line) as Partial<TimelineEntry>;
        if (typeof e.at === 'number' && typeof e.kind === 'string' && typeof e.detail === 'string') entries.push(e as TimelineEntry);
      } catch {
        // a torn last line from a crash mid-write
      }
    }
    return inTimeOrder(entries);
  }

  /** Forgets a removed job (its directory, the file with it, is gone). */
  forget(job: number): void {
    this.close(job);
    this.counts.delete(job);
  }

  private readLines(job: number): string[] {
    try {
      return readFileSync(this.file(job), 'utf8').split('\n').filter(Boolean);
    } catch {
      return [];
    }
  }

  private rewrite(job: number): void {
    // The rewrite replaces the file (a rename): the open one would be the old file.
    this.close(job);
    const kept = trimmed(this.read(job), this.max);
    writeFileAtomic(this.file(job), kept.map((e) => `${JSON.stringify(e)}\n`).join(''));
    this.counts.set(job, kept.length);
  }
}
