// Each job's timeline on disk: timeline.jsonl in the job's own directory (removed with the job),
// one entry per line, appended with write(2) — a SIGKILLed daemon's writes are in the page cache,
// so the next daemon reads them. Bounded per job: past TIMELINE_MAX_ENTRIES the file is rewritten
// with the first entries (how the job began), a `trimmed` marker and the latest ones.

import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
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

export class TimelineStore {
  /** Lines in each job's file, counted on its first append. */
  private readonly counts = new Map<number, number>();

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
      const count = (this.counts.get(job) ?? this.readLines(job).length) + 1;
      const line = `${JSON.stringify(entry)}\n`;
      try {
        appendFileSync(this.file(job), line, { mode: 0o600 });
      } catch (err) {
        // A queued job has no directory until it is launched.
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        mkdirSync(dirname(this.file(job)), { recursive: true, mode: 0o700 });
        appendFileSync(this.file(job), line, { mode: 0o600 });
      }
      this.counts.set(job, count);
      if (count > this.max) this.rewrite(job);
    } catch (err) {
      this.onError(err, job);
    }
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
    const kept = trimmed(this.read(job), this.max);
    writeFileAtomic(this.file(job), kept.map((e) => `${JSON.stringify(e)}\n`).join(''));
    this.counts.set(job, kept.length);
  }
}
