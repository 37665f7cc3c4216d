// The history's files: append-only JSON Lines segments `runs-<first seq>.jsonl` in the history
// directory. A segment is read whole at start-up (a few MB at most), line by line with each line's
// byte range, so a run's stderr tail can be read back later from exactly that range.

import { closeSync, fsyncSync, ftruncateSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
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

/** The complete lines of a segment; `complete` is the byte length up to its last newline (less than the size when a write was torn). */
export function readSegmentLines(file: string): { lines: SegmentLine[]; size: number; complete: number } {
  const data = readFileSync(file);
  const lines: SegmentLine[] = [];
  let start = 0;
  for (let nl = data.indexOf(10, start); nl !== -1; nl = data.indexOf(10, start)) {
    if (nl > start) lines.push({ offset: start, length: nl + 1 - start, text: data.toString('utf8', start, nl) });
    start = nl + 1;
  }
  return { lines, size: data.length, complete: start };
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

export function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

