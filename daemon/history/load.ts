// Loading the history at start-up: every segment in order, each complete line decoded; a torn last
// line (a write cut by a crash) is cut off, a damaged line skipped, a file that holds no history
// record at all set aside. Nothing here throws for bad data: the daemon starts in every case.

import type { HistoryRun } from '../../shared/history.js';
import { decodeRun } from './codec.js';
import type { RunLocation } from './columns.js';
import { cutTornTail, forEachLine, listSegments, setAside } from './segment-files.js';

export interface LoadedSegment {
  id: number;
  file: string;
  /** Records in the file (kept or not), its size, the last seq in it. */
  lines: number;
  bytes: number;
  lastSeq: number;
  /** Ends with a complete line: appending to it is safe. */
  appendable: boolean;
}

export interface LoadedHistory {
  segments: LoadedSegment[];
  /** The next seq to hand out: never one already on disk. */
  nextSeq: number;
  warnings: string[];
}

/** Reads every segment of `dir`, handing each run (in seq order) to `take`. */
export function loadHistory(dir: string, take: (run: HistoryRun, at: RunLocation) => void): LoadedHistory {
  const warnings: string[] = [];
  const segments: LoadedSegment[] = [];
  let lastSeq = 0;
  for (const { id, file } of listSegments(dir)) {
    let good = 0;
    let damaged = 0;
    const seg: LoadedSegment = { id, file, lines: 0, bytes: 0, lastSeq: id - 1, appendable: true };
    let read: { size: number; complete: number };
    try {
      read = forEachLine(file, (line) => {
        const run = decodeRun(line.text);
        if (!run) {
          damaged++;
          return;
        }
        good++;
        // A seq at or below one already loaded is a duplicate (a copied file): the first one counts.
        if (run.seq <= lastSeq) return;
        lastSeq = run.seq;
        seg.lastSeq = run.seq;
        seg.lines++;
        take(run, { segment: id, offset: line.offset, length: line.length });
      });
    } catch (err) {
      warnings.push(`history segment ${file} could not be read (${(err as Error).message}); skipped`);
      continue;
    }
    seg.bytes = read.complete;
    if (good === 0 && (damaged > 0 || read.size > 0)) {
      warnings.push(`${file} holds no history record; set aside as ${trySetAside(file)}`);
      continue;
    }
    if (damaged) warnings.push(`history segment ${file}: ${damaged} damaged line(s) skipped`);
    if (read.complete < read.size) {
      warnings.push(`history segment ${file}: a torn last line (${read.size - read.complete} bytes, a write cut short by a crash) skipped`);
      try {
        cutTornTail(file, read.complete);
      } catch (err) {
        seg.appendable = false;
        warnings.push(`could not cut the torn line off ${file} (${(err as Error).message}); it stays skipped`);
      }
    }
    segments.push(seg);
  }
  const newest = segments[segments.length - 1];
  return { segments, nextSeq: Math.max(lastSeq + 1, newest ? newest.id : 1), warnings };
}

function trySetAside(file: string): string {
  try {
    return setAside(file);
  } catch (err) {
    return `nothing (it could not be moved: ${(err as Error).message}; it is ignored)`;
  }
}
