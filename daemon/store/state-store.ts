// Durable job records: a snapshot (state.json) plus an append-only journal (journal.ndjson).
// Every change is appended to the journal and fsynced before the daemon acknowledges it, so a
// crash right after an answer loses nothing. Concurrent changes are committed together: every
// flush() asked for before a commit starts shares its one write + fsync, and those asked for
// while it is in flight share the next one. compact() rewrites the snapshot atomically, keeps
// the previous one as state.json.bak and rotates the journal to journal.prev.ndjson instead of
// emptying it: prev + current journal cover every change since the backup, so falling back to
// the backup loses nothing. Damaged or wrong-shaped data is moved aside, reported and skipped,
// never allowed to stop the daemon from starting.

import { existsSync, renameSync, rmSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ErrorCode, ProcdError } from '../../shared/errors.js';
import type { Job, JobId } from '../../shared/job.js';
import { syncDir, writeFileAtomic } from './files.js';
import { loadState, SNAPSHOT_FORMAT, type LoadedState } from './load.js';
import { oneLine, type JournalEntry } from './records.js';

export { writeFileAtomic } from './files.js';
export type { LoadedState } from './load.js';

const COMPACT_AFTER_ENTRIES = 2000;

/** What the store needs of an open journal file (a node:fs/promises FileHandle; tests inject their own). */
export type JournalHandle = Pick<FileHandle, 'write' | 'datasync' | 'truncate' | 'stat' | 'close'>;

export interface StateStoreOptions {
  /** Opens the journal for appending (default: fs/promises open). */
  openJournal?: (file: string) => Promise<JournalHandle>;
}

export class StateStore {
  private seq = 0;
  private entriesSinceSnapshot = 0;
  /** No snapshot may hand out an id at or below one already saved (a caller's nextId can lag). */
  private nextIdFloor = 1;
  /** state.json is known intact (read at load or written here): only then may it become the backup. */
  private snapshotGood = false;
  private journal: JournalHandle | null = null;
  private journalSize = 0;
  /** A failed write left a partial line that could not be cut off: the next write starts a new line. */
  private tornTail = false;
  private pending: string[] = [];
  /** The commit every flush() asked for now joins; null once it has started (later flushes make the next one). */
  private nextCommit: Promise<void> | null = null;
  /** Every journal operation (commit, compact, close) runs in turn on this chain. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly openJournalFile: (file: string) => Promise<JournalHandle>;
  private readonly dir: string;
  private readonly journalFile: string;
  private readonly prevJournalFile: string;
  private readonly backupFile: string;

  constructor(
    private readonly stateFile: string,
    options: StateStoreOptions = {},
  ) {
    this.openJournalFile = options.openJournal ?? ((file) => open(file, 'a', 0o600));
    this.dir = dirname(stateFile);
    this.journalFile = join(this.dir, 'journal.ndjson');
    this.prevJournalFile = join(this.dir, 'journal.prev.ndjson');
    this.backupFile = `${stateFile}.bak`;
  }

  /** Reads the snapshot (or its backup) and replays both journals on top. Never throws for bad data. */
  load(): LoadedState {
    const r = loadState({ state: this.stateFile, backup: this.backupFile, journal: this.journalFile, prevJournal: this.prevJournalFile });
    this.seq = r.seq;
    this.nextIdFloor = r.nextId;
    this.entriesSinceSnapshot = r.journalEntries;
    this.snapshotGood = r.snapshotGood;
    this.tornTail = r.tornTail;
    return { jobs: r.jobs, nextId: r.nextId, warnings: r.warnings };
  }

  /** Queues a job record; call flush() before acknowledging the change to a client. */
  saveJob(job: Job): void {
    this.nextIdFloor = Math.max(this.nextIdFloor, job.id + 1);
    this.append({ seq: ++this.seq, t: 'job', job });
  }

  removeJob(id: JobId): void {
    this.append({ seq: ++this.seq, t: 'rm', id });
  }

  saveNextId(nextId: number): void {
    this.nextIdFloor = Math.max(this.nextIdFloor, nextId);
    this.append({ seq: ++this.seq, t: 'next', nextId });
  }

  private append(entry: JournalEntry): void {
    this.pending.push(`${JSON.stringify(entry)}\n`);
  }

  /**
   * Makes every change queued so far durable; resolves once it is (group commit: concurrent
   * callers share one write + fsync). Throws ProcdError StorageFailed to every caller of a
   * commit whose write fails; its entries stay queued for the next flush and the journal is cut
   * back to its length before the write.
   */
  flush(): Promise<void> {
    if (!this.nextCommit) {
      this.nextCommit = this.exclusive(() => {
        this.nextCommit = null; // flushes from here on were asked after this commit took its entries
        return this.writePending();
      });
    }
    return this.nextCommit;
  }

  private exclusive<T>(op: () => Promise<T>): Promise<T> {
    const run = this.queue.then(op);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async writePending(): Promise<void> {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    const data = Buffer.from((this.tornTail ? '\n' : '') + batch.join(''));
    let start: number | null = null;
    try {
      const journal = await this.openJournal();
      start = this.journalSize;
      // A full disk can take part of a write without an error: write until all of it is in.
      for (let off = 0; off < data.length; ) {
        const { bytesWritten } = await journal.write(data, off, data.length - off);
        if (bytesWritten <= 0) throw new Error('the journal write made no progress');
        off += bytesWritten;
      }
      await journal.datasync();
    } catch (err) {
      this.pending = [...batch, ...this.pending];
      if (start !== null) await this.cutBack(start);
      throw storageFailed('could not save job records', err);
    }
    this.journalSize += data.length;
    this.tornTail = false;
    this.entriesSinceSnapshot += batch.length;
  }

  /** Removes a partial write; the handle is dropped so the next flush starts from a fresh open. */
  private async cutBack(size: number): Promise<void> {
    try {
      await this.journal?.truncate(size);
    } catch {
      this.tornTail = true;
    }
    await this.closeJournal();
  }

  private async openJournal(): Promise<JournalHandle> {
    if (this.journal) return this.journal;
    const created = !existsSync(this.journalFile);
    const handle = await this.openJournalFile(this.journalFile);
    try {
      this.journalSize = (await handle.stat()).size;
      if (created) syncDir(this.dir);
    } catch (err) {
      await handle.close().catch(() => undefined);
      throw err;
    }
    this.journal = handle;
    return handle;
  }

  private async closeJournal(): Promise<void> {
    const handle = this.journal;
    this.journal = null;
    await handle?.close().catch(() => undefined);
  }

  needsCompaction(): boolean {
    return this.entriesSinceSnapshot >= COMPACT_AFTER_ENTRIES;
  }

  /**
   * Writes a full snapshot and rotates the journal. Safe to crash at any step: until the rename,
   * state.json is the old snapshot with its journals; after it, state.json.bak is the old snapshot
   * and the unrotated journal still covers it; after the rotation, journal.prev.ndjson covers
   * exactly the span between the backup and the new snapshot.
   */
  compact(jobs: Iterable<Job>, nextId: number): Promise<void> {
    return this.exclusive(async () => {
      await this.writePending();
      // No await between reading the jobs and the sequence number: the snapshot matches journalSeq.
      const snapshot = { format: SNAPSHOT_FORMAT, savedAt: Date.now(), journalSeq: this.seq, nextId: Math.max(nextId, this.nextIdFloor), jobs: [...jobs] };
      // A damaged or missing state.json must not replace a good backup; without a new backup
      // the journal is not rotated either, so it keeps covering the old one.
      const rotate = this.snapshotGood;
      try {
        writeFileAtomic(this.stateFile, JSON.stringify(snapshot), rotate ? this.backupFile : undefined);
        this.snapshotGood = true;
        if (rotate) {
          await this.closeJournal();
          if (existsSync(this.journalFile)) renameSync(this.journalFile, this.prevJournalFile);
          else rmSync(this.prevJournalFile, { force: true });
          syncDir(this.dir);
        }
      } catch (err) {
        throw storageFailed('could not write the state snapshot', err);
      }
      this.entriesSinceSnapshot = 0;
    });
  }

  async close(): Promise<void> {
    return this.exclusive(async () => {
      try {
        await this.writePending();
      } finally {
        await this.closeJournal();
      }
    });
  }
}

function storageFailed(what: string, err: unknown): ProcdError {
  const reason = oneLine(err instanceof Error ? err.message : String(err));
  const code = (err as NodeJS.ErrnoException | null)?.code ?? null;
  return new ProcdError(ErrorCode.StorageFailed, `${what}: ${reason}`, { reason, code });
}
