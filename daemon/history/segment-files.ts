// The history's files: append-only JSON Lines segments `runs-<first seq>.jsonl` in the history
// directory. A segment is read at start-up line by line with each line's byte range, so a run's
// stderr tail can be read back later from exactly that range.

import { isAscii } from 'node:buffer';
import { closeSync, fsyncSync, ftruncateSync, openSync, readdirSync, readSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

const SEGMENT = /^runs-(\d{12})\.jsonl$/;

export function segmentFile(dir: string, id: number): string {
  return join(dir, `runs-${String(id).padStart(12, '0')}.jsonl`);
}

/** The segments in the directory, oldest first; also removes temp files a crash mid-compaction left. */
export function listSegments(dir: string): { id: number; file: string }[] {
  const found: { id: number; file: string }[] = [];
  for (const name of readdirSync(dir)) {
    if (name.endsWith('.tmp')) {
      rmSync(join(dir, name), { force: true });
      continue;
    }
    const m = SEGMENT.exec(name);
    if (m) found.push({ id: Number(m[1]), file: join(dir, name) });
  }
  return found.sort((a, b) => a.id - b.id);
}

export interface SegmentLine {
  offset: number;
  length: number;
  text: string;
}

const CHUNK = 1 << 16;

/**
 * Hands each complete line of a segment to `take`, reading 64 KiB at a time (young-generation strings) (no whole-file buffer,
 * no array of every line: what a line leaves behind dies young). Lines are ASCII (codec.ts escapes
 * the rest), so a chunk is decoded as latin1 and a character offset is a byte offset; a chunk that
 * is not ASCII (a file from elsewhere) is decoded line by line as UTF-8 instead.
 * Returns the file's size and the byte length up to its last newline (less when a write was torn).
 */
export function forEachLine(file: string, take: (line: SegmentLine) => void): { size: number; complete: number } {
  const fd = openSync(file, 'r');
  try {
    let buf = Buffer.allocUnsafe(CHUNK);
    let carried = 0; // bytes of an unfinished line at the start of buf
    let base = 0; // file offset of buf[0]
    for (;;) {
      if (carried === buf.length) {
        // One line longer than the buffer: grow it.
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, carried);
        buf = bigger;
      }
      const n = readSync(fd, buf, carried, buf.length - carried, null);
      const filled = carried + n;
      const view = buf.subarray(0, filled);
      const ascii = isAscii(view);
      const text = ascii ? view.toString('latin1') : null;
      let start = 0;
      for (let nl = view.indexOf(10, start); nl !== -1; nl = view.indexOf(10, start)) {
        if (nl > start) take({ offset: base + start, length: nl + 1 - start, text: text !== null ? text.slice(start, nl) : view.toString('utf8', start, nl) });
        start = nl + 1;
      }
      if (n === 0) return { size: base + filled, complete: base + start };
      buf.copy(buf, 0, start, filled);
      carried = filled - start;
      base += start;
    }
  } finally {
    closeSync(fd);
  }
}

/** Cuts a torn last line off (bytes after the last newline), so the next append starts a fresh line. */
export function cutTornTail(file: string, complete: number): void {
  const fd = openSync(file, 'r+');
  try {
    ftruncateSync(fd, complete);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Moves a file that is not a history segment out of the way (kept for a person to look at, never read or deleted). */
export function setAside(file: string): string {
  const aside = `${file}.foreign-${Date.now()}`;
  renameSync(file, aside);
  return aside;
}

/** The bytes of every segment in the directory (0 when it cannot be read). */
export function segmentBytes(dir: string): number {
  try {
    return readdirSync(dir)
      .filter((n) => SEGMENT.test(n))
      .reduce((sum, n) => sum + (statSync(join(dir, n), { throwIfNoEntry: false })?.size ?? 0), 0);
  } catch {
    return 0;
  }
}

