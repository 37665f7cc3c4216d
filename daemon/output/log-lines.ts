// Output as lines, for reads that filter it (`logs`' `lines` params): the timed pieces a read
// returned, split per stream at newlines, in the order their lines were completed. Pure.

import { LOG_LINE_MAX_BYTES } from '../../shared/log-budget.js';
import type { TimedChunk } from './chunk-times.js';
import type { Cursor, StreamName } from './segments.js';

export interface LogLine {
  stream: StreamName;
  /** The line without its newline (UTF-8; bytes that are not are replaced). */
  text: string;
  /** When its first byte arrived (epoch ms), null when the index no longer says. */
  at: number | null;
  /** Global offset of its first byte in its stream. */
  from: number;
}

interface Partial {
  parts: Buffer[];
  length: number;
  from: number;
  at: number | null;
}

/**
 * Splits pieces read from `start` into lines. A line longer than LOG_LINE_MAX_BYTES is cut into
 * pieces of that size. A last line without its newline is a line only when `final` (the output is
 * complete); otherwise it is left for the next read: `next` points at its first byte.
 */
export function splitLines(pieces: readonly TimedChunk[], start: Cursor, final: boolean): { lines: LogLine[]; next: Cursor } {
  const pos: Cursor = { ...start };
  const open: Record<StreamName, Partial | null> = { stdout: null, stderr: null };
  const lines: LogLine[] = [];
  const emit = (s: StreamName) => {
    const p = open[s]!;
    const bytes = p.parts.length === 1 ? p.parts[0]! : Buffer.concat(p.parts, p.length);
    lines.push({ stream: s, text: bytes.toString('utf8'), at: p.at, from: p.from });
    open[s] = null;
  };
  for (const piece of pieces) {
    const { stream: s, data } = piece;
    const base = pos[s];
    let i = 0;
    while (i < data.length) {
      const p = open[s];
      const nl = data.indexOf(0x0a, i);
      const end = nl < 0 ? data.length : nl;
      const room = LOG_LINE_MAX_BYTES - (p ? p.length : 0);
      if (!p && nl >= 0 && end - i <= room) {
        // The common case: a whole line inside this piece, decoded where it lies.
        lines.push({ stream: s, text: data.toString('utf8', i, end), at: piece.at, from: base + i });
        i = end + 1;
        continue;
      }
      const q = p ?? (open[s] = { parts: [], length: 0, from: base + i, at: piece.at });
      const take = Math.min(end - i, room);
      q.parts.push(data.subarray(i, i + take));
      q.length += take;
      i += take;
      if (i === nl) {
        i++;
        emit(s);
      } else if (take === room) emit(s); // too long: this piece of it is a line of its own
    }
    pos[s] = base + data.length;
  }
  const next: Cursor = { ...pos };
  for (const s of ['stdout', 'stderr'] as const) {
    const p = open[s];
    if (!p) continue;
    if (final) emit(s);
    else next[s] = p.from;
  }
  return { lines, next };
}

/** The cursor at line `index` of `lines`: each stream at its first line from there on, else at `end`. */
export function cursorAtLine(lines: readonly LogLine[], index: number, end: Cursor): Cursor {
  const c: Cursor = { ...end };
  const seen = new Set<StreamName>();
  for (let i = index; i < lines.length && seen.size < 2; i++) {
    const l = lines[i]!;
    if (seen.has(l.stream)) continue;
    seen.add(l.stream);
    c[l.stream] = l.from;
  }
  return c;
}
