// Reading the job records back at start: the snapshot (or its backup when it is damaged), then
// journal.prev.ndjson and journal.ndjson replayed on top, skipping by sequence number. Bad data
// is moved aside, reported in one-line warnings and skipped; nothing here throws for bad data.

import { copyFileSync, existsSync, readFileSync, renameSync, truncateSync } from 'node:fs';
import { basename } from 'node:path';
import type { Job, JobId } from '../../shared/job.js';
import { readJournalFile, removeTempFiles, writeFileAtomic, type JournalFile } from './files.js';
import { checkEntry, checkJob, isPositiveInt, oneLine, SkipList, type JournalEntry } from './records.js';

export const SNAPSHOT_FORMAT = 1;

export interface Snapshot {
  format: number;
  savedAt: number;
  /** Sequence number of the last journal entry the snapshot includes. */
  journalSeq: number;
  nextId: number;
  /** Checked one by one at load. */
  jobs: unknown[];
}

export interface LoadedState {
  jobs: Map<JobId, Job>;
  nextId: number;
  warnings: string[];
}

export interface StoreFiles {
  state: string;
  backup: string;
  journal: string;
  prevJournal: string;
}

export interface LoadResult extends LoadedState {
  /** Highest sequence number on disk: new entries continue after it. */
  seq: number;
  /** Entries replayed from the current journal (counts towards the next compaction). */
  journalEntries: number;
  /** state.json itself was read intact. */
  snapshotGood: boolean;
  /** The current journal ends in a partial line that could not be cut off. */
  tornTail: boolean;
}

/** A bad entry still tells which sequence number it used and which id it named, when readable. */
type Replayable = JournalEntry | { seq: number | null; skippedId: number | null };

export function loadState(files: StoreFiles): LoadResult {
  const warnings: string[] = [];
  // Leftovers of a crash mid-write (compaction, backup link, journal rewrite).
  removeTempFiles([files.state, files.backup, files.journal, files.prevJournal]);
  let snapshot = readSnapshot(files.state, warnings);
  const snapshotGood = snapshot !== null;
  const snapshotName = basename(snapshotGood ? files.state : files.backup);
  if (!snapshot && existsSync(files.backup)) {
    snapshot = readSnapshot(files.backup, warnings);
    if (snapshot) warnings.push(`using the previous good snapshot ${files.backup} with the journals replayed on top`);
  }
  const jobs = new Map<JobId, Job>();
  const skipped = new SkipList();
  let nextId = snapshot?.nextId ?? 1;
  // A skipped record's id still counts: ids are never handed out twice.
  const keepId = (id: number | null) => (nextId = Math.max(nextId, (id ?? 0) + 1));
  let badInSnapshot = 0;
  snapshot?.jobs.forEach((raw, i) => {
    const r = checkJob(raw);
    if (r.ok) jobs.set(r.value.id, r.value);
    else {
      skipped.add(`${snapshotName} job #${i}`, r.problem);
      badInSnapshot++;
    }
    keepId(r.ok ? r.value.id : r.id);
  });
  // The next snapshot will not have them: keep the file as found, as for a journal's bad lines.
  if (badInSnapshot > 0) keepAside(snapshotGood ? files.state : files.backup, `${badInSnapshot} record(s) set aside`, warnings);
  // applied: last entry replayed (skips what the snapshot has and lines repeated by a retried
  // write); seen: highest sequence number on disk, to notice a hole in the journals.
  let applied = snapshot?.journalSeq ?? 0;
  let seen = applied;
  let gap: string | null = null;
  let journalEntries = 0;
  let tornTail = false;
  for (const file of [files.prevJournal, files.journal]) {
    const read = readJournal(file, file === files.journal, warnings, skipped);
    tornTail ||= read.tornTail;
    for (const entry of read.entries) {
      if (!('t' in entry)) keepId(entry.skippedId);
      if (entry.seq === null) continue;
      if (entry.seq > seen + 1) gap ??= `${seen + 1}..${entry.seq - 1}`;
      seen = Math.max(seen, entry.seq);
      if (!('t' in entry) || entry.seq <= applied) continue;
      applied = entry.seq;
      if (entry.t === 'job') jobs.set(entry.job.id, entry.job);
      else if (entry.t === 'rm') jobs.delete(entry.id);
      if (file === files.journal) journalEntries++;
      keepId(entry.t === 'job' ? entry.job.id : entry.t === 'rm' ? entry.id : entry.nextId - 1);
    }
  }
  if (skipped.size > 0) warnings.push(`skipped ${skipped.size} record(s) of the wrong shape: ${skipped.describe()}`);
  if (gap) warnings.push(`journal entries ${gap} are missing (no snapshot or journal has them): changes saved then are lost`);
  return { jobs, nextId, warnings: warnings.map(oneLine), seq: seen, journalEntries, snapshotGood, tornTail };
}

function keepAside(file: string, what: string, warnings: string[]): void {
  const aside = `${file}.corrupt-${Date.now()}`;
  try {
    copyFileSync(file, aside);
    warnings.push(`${file}: ${what}; the file as found is kept as ${aside}`);
  } catch (err) {
    warnings.push(`${file}: ${what}; could not keep a copy: ${(err as Error).message}`);
  }
}

function readSnapshot(file: string, warnings: string[]): Snapshot | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') warnings.push(`cannot read ${file}: ${(err as Error).message}`);
    return null;
  }
  try {
    const data = JSON.parse(text) as Partial<Snapshot> | null;
    const journalSeq = data?.journalSeq ?? 0;
    if (data?.format !== SNAPSHOT_FORMAT || !Array.isArray(data.jobs) || !isPositiveInt(data.nextId) || !Number.isSafeInteger(journalSeq) || journalSeq < 0) {
      throw new Error('not a procd state file');
    }
    return { format: data.format, savedAt: data.savedAt ?? 0, journalSeq, nextId: data.nextId, jobs: data.jobs };
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

/** The entries of one journal file, bad ones included as what can still be read of them. */
function readJournal(file: string, appendable: boolean, warnings: string[], skipped: SkipList): { entries: Replayable[]; tornTail: boolean } {
  let read: JournalFile;
  try {
    read = readJournalFile(file);
  } catch (err) {
    warnings.push(`cannot read journal ${file}: ${(err as Error).message}`);
    return { entries: [], tornTail: false };
  }
  const entries: Replayable[] = [];
  const good: string[] = [];
  let bad = read.damaged;
  for (const { line, text, value } of read.lines) {
    const r = checkEntry(value);
    if (r.ok) {
      entries.push(r.value);
      good.push(`${text}\n`);
      continue;
    }
    bad++;
    skipped.add(`${basename(file)} line ${line}`, r.problem);
    const seq = (value as { seq?: unknown } | null)?.seq;
    entries.push({ seq: isPositiveInt(seq) ? seq : null, skippedId: r.id });
  }
  let step = `copy its ${bad} damaged line(s) aside`;
  try {
    if (bad > 0) {
      // Moved aside: the file as found is kept, the journal keeps only its good lines, so the
      // damage is reported once and never glued to the next append.
      const aside = `${file}.corrupt-${Date.now()}`;
      copyFileSync(file, aside);
      warnings.push(`journal ${file}: ${bad} damaged line(s) skipped; the journal as found is kept as ${aside}`);
      step = 'rewrite it without them';
      writeFileAtomic(file, good.join(''));
    } else if (read.tornAt !== null && appendable) {
      // A write torn by a crash: appending after it would glue the next entry onto it.
      step = 'cut off its torn end';
      truncateSync(file, read.tornAt);
    }
  } catch (err) {
    warnings.push(`journal ${file}: could not ${step}: ${(err as Error).message}`);
    return { entries, tornTail: appendable };
  }
  return { entries, tornTail: false };
}
