// File-level helpers of the state store: atomic replacement, directory fsync, reading a journal
// file line by line, and removing what a crash mid-write leaves behind.

import { closeSync, existsSync, fsyncSync, linkSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** temp file → fsync → rename (optionally keeping the old file as a backup) → fsync the directory. */
export function writeFileAtomic(file: string, content: string, backup?: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    const fd = openSync(tmp, 'w', 0o600);
    try {
      // writeFileSync loops over short writes (a nearly full disk): never a truncated snapshot.
      writeFileSync(fd, content);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (backup && existsSync(file)) {
      // A hard link keeps the old file without a moment where `file` is missing; linking to a
      // temp name first replaces the backup atomically, so a crash never leaves no backup.
      const backupTmp = `${backup}.tmp-${process.pid}`;
      rmSync(backupTmp, { force: true });
      linkSync(file, backupTmp);
      renameSync(backupTmp, backup);
    }
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  syncDir(dirname(file));
}

/** Makes renames and file creations in a directory durable. */
export function syncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some platforms cannot fsync a directory; the rename is still atomic.
  }
}

/** Removes `<name>.tmp-<pid>` files a crash mid-write left next to the given files (all in one directory). */
export function removeTempFiles(files: string[]): void {
  const dir = dirname(files[0] ?? '.');
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  const prefixes = files.map((f) => `${basename(f)}.tmp-`);
  for (const name of names) {
    if (!prefixes.some((p) => name.startsWith(p) && /^\d+$/.test(name.slice(p.length)))) continue;
    try {
      rmSync(join(dir, name), { force: true });
    } catch {
      // not a file we could remove: harmless, it is never read
    }
  }
}

export interface JournalLine {
  /** 1-based line number, for warnings. */
  line: number;
  text: string;
  value: unknown;
}

export interface JournalFile {
  lines: JournalLine[];
  /** Lines that are not JSON. */
  damaged: number;
  /** Byte length up to the last newline when bytes follow it (a write torn by a crash), else null. */
  tornAt: number | null;
}

/** Reads a journal; a missing file is an empty journal. Throws only for read errors. */
export function readJournalFile(file: string): JournalFile {
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { lines: [], damaged: 0, tornAt: null };
    throw err;
  }
  // Bytes after the last newline belong to a write that never completed, so never to an
  // acknowledged change: they are not replayed.
  const end = buf.lastIndexOf(10) + 1;
  const result: JournalFile = { lines: [], damaged: 0, tornAt: end < buf.length ? end : null };
  buf
    .toString('utf8', 0, end)
    .split('\n')
    .forEach((text, i) => {
      if (!text) return;
      try {
        result.lines.push({ line: i + 1, text, value: JSON.parse(text) as unknown });
      } catch {
        result.damaged++;
      }
    });
  return result;
}
