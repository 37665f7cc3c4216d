// Durable job records: a snapshot (state.json) plus an append-only journal (journal.ndjson).
// Every change is appended to the journal and fsynced before the daemon acknowledges it, so a
// crash right after an answer loses nothing. The snapshot is rewritten atomically (temp file,
// fsync, rename; the previous one kept as state.json.bak) when the journal grows, and a damaged
// snapshot or journal line is reported and skipped, never allowed to stop the daemon from starting.

import { closeSync, existsSync, fsyncSync, linkSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Job, JobId } from '../../shared/job.js';

const SNAPSHOT_FORMAT = 1;
const COMPACT_AFTER_ENTRIES = 2000;

interface Snapshot {
  format: number;
  savedAt: number;
  /** Sequence number of the last journal entry the snapshot includes. */
  journalSeq: number;
  nextId: number;
  jobs: Job[];
}

type JournalEntry = { seq: number; t: 'job'; job: Job } | { seq: number; t: 'rm'; id: JobId } | { seq: number; t: 'next'; nextId: number };

export interface LoadedState {
  jobs: Map<JobId, Job>;
  nextId: number;
  warnings: string[];
}

export class StateStore {
  private seq = 0;
  private entriesSinceSnapshot = 0;
  private journal: FileHandle | null = null;
  private pending: string[] = [];
  private flushing: Promise<void> | null = null;
  private readonly journalFile: string;
  private readonly backupFile: string;

  constructor(private readonly stateFile: string) {
    this.journalFile = join(dirname(stateFile), 'journal.ndjson');
    this.backupFile = `${stateFile}.bak`;
  }

  /** Reads the snapshot (or its backup) and replays the journal on top. Never throws for bad data. */
  load(): LoadedState {
    const warnings: string[] = [];
    let snapshot = this.readSnapshot(this.stateFile, warnings);
    if (!snapshot && existsSync(this.backupFile)) {
      snapshot = this.readSnapshot(this.backupFile, warnings);
      if (snapshot) warnings.push(`using the previous good snapshot ${this.backupFile}`);
    }
    const jobs = new Map<JobId, Job>();
    let nextId = 1;
    let seq = 0;
    if (snapshot) {
      for (const job of snapshot.jobs) jobs.set(job.id, job);
      nextId = snapshot.nextId;
      seq = snapshot.journalSeq;
    }
    const baseSeq = seq;
    for (const entry of this.readJournal(warnings)) {
      if (entry.seq <= baseSeq) continue; // already in the snapshot
      seq = Math.max(seq, entry.seq);
      if (entry.t === 'job') {
        jobs.set(entry.job.id, entry.job);
        nextId = Math.max(nextId, entry.job.id + 1);
      } else if (entry.t === 'rm') jobs.delete(entry.id);
      else nextId = Math.max(nextId, entry.nextId);
      this.entriesSinceSnapshot++;
    }
    for (const id of jobs.keys()) nextId = Math.max(nextId, id + 1);
    this.seq = seq;
    return { jobs, nextId, warnings };
  }

  private readSnapshot(file: string, warnings: string[]): Snapshot | null {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') warnings.push(`cannot read ${file}: ${(err as Error).message}`);
      return null;
    }
    try {
      const data = JSON.parse(text) as Partial<Snapshot>;
      if (data.format !== SNAPSHOT_FORMAT || !Array.isArray(data.jobs) || typeof data.nextId !== 'number') {
        throw new Error('not a procd state file');
      }
      return { format: data.format, savedAt: data.savedAt ?? 0, journalSeq: data.journalSeq ?? 0, nextId: data.nextId, jobs: data.jobs };
    } catch (err) {
      const aside = `${file}.corrupt-${Date.now()}`;
      try {
        renameSync(file, aside);
      } catch {
        // keep going: the warning still says what happened
      }
      warnings.push(`state file ${file} is damaged (${(err as Error).message}); moved aside to ${aside}`);
      return null;
    }
  }

  private readJournal(warnings: string[]): JournalEntry[] {
    let text: string;
    try {
      text = readFileSync(this.journalFile, 'utf8');
    } catch {
      return [];
    }
    const entries: JournalEntry[] = [];
    const lines = text.split('\n');
    let bad = 0;
    lines.forEach((line, i) => {
      if (!line) return;
      try {
        const entry = JSON.parse(line) as JournalEntry;
        if (typeof entry.seq === 'number') entries.push(entry);
        else bad++;
      } catch {
        // The last line may be torn by a crash mid-write; anything else is damage.
        if (i !== lines.length - 1) bad++;
      }
    });
    if (bad > 0) warnings.push(`journal ${this.journalFile}: ${bad} damaged line(s) skipped`);
    return entries;
  }

  /** Queues a job record; call flush() before acknowledging the change to a client. */
  saveJob(job: Job): void {
    this.append({ seq: ++this.seq, t: 'job', job });
  }

  removeJob(id: JobId): void {
    this.append({ seq: ++this.seq, t: 'rm', id });
  }

  saveNextId(nextId: number): void {
    this.append({ seq: ++this.seq, t: 'next', nextId });
  }

  private append(entry: JournalEntry): void {
    this.pending.push(`${JSON.stringify(entry)}\n`);
  }

  /** Writes queued entries with one write + fsync (group commit); concurrent callers share it. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.pending.length === 0) return;
    const batch = this.pending.join('');
    const count = this.pending.length;
    this.pending = [];
    this.flushing = (async () => {
      this.journal ??= await open(this.journalFile, 'a', 0o600);
      await this.journal.write(batch);
      await this.journal.datasync();
      this.entriesSinceSnapshot += count;
    })();
    try {
      await this.flushing;
    } finally {
      this.flushing = null;
    }
  }

  needsCompaction(): boolean {
    return this.entriesSinceSnapshot >= COMPACT_AFTER_ENTRIES;
  }

  /** Writes a full snapshot atomically and empties the journal. */
  async compact(jobs: Iterable<Job>, nextId: number): Promise<void> {
    await this.flush();
    const snapshot: Snapshot = { format: SNAPSHOT_FORMAT, savedAt: Date.now(), journalSeq: this.seq, nextId, jobs: [...jobs] };
    writeFileAtomic(this.stateFile, JSON.stringify(snapshot), this.backupFile);
    // Entries up to journalSeq are in the snapshot; a crash before this truncation is harmless
    // because load() skips them by sequence number.
    await this.journal?.close();
    this.journal = null;
    writeFileAtomic(this.journalFile, '');
    this.entriesSinceSnapshot = 0;
  }

  async close(): Promise<void> {
    await this.flush();
    await this.journal?.close();
    this.journal = null;
  }
}

/** temp file → fsync → rename (optionally keeping the old file as a backup) → fsync the directory. */
export function writeFileAtomic(file: string, content: string, backup?: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  if (backup && existsSync(file)) {
    // A hard link keeps the old snapshot as the backup without a moment where `file` is missing.
    rmSync(backup, { force: true });
    linkSync(file, backup);
  }
  renameSync(tmp, file);
  try {
    const dirFd = openSync(dirname(file), 'r');
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
  } catch {
    // Some platforms cannot fsync a directory; the rename is still atomic.
  }
}
