// The last lines of a job's output for a wait's answer: stdout and stderr interleaved as they
// arrived, at most TAIL_LINES lines and TAIL_BYTES bytes (a long line is cut, earlier lines are
// dropped first), so an answer fits a terminal and an agent's context.

import { readInterleaved, tailCursor } from '../output/segments.js';

export const TAIL_LINES = 10;
export const TAIL_BYTES = 4096;
/** Read at most this much to find the last lines: a flood of long lines is cut, not loaded. */
const READ_BYTES = 64 * 1024;
const LINE_CHARS = 1000;

export interface Tail {
  lines: string[];
  /** Lines were dropped or cut to keep within the bounds. */
  truncated: boolean;
}

/** Keeps the last `maxLines` lines of `text` within `maxBytes`: a pure function, unit-tested. */
export function boundLines(text: string, maxLines = TAIL_LINES, maxBytes = TAIL_BYTES): Tail {
  const all = text.replace(/\r?\n$/, '').split(/\r?\n/);
  if (text === '') return { lines: [], truncated: false };
  let truncated = all.length > maxLines;
  const lines = all.slice(-maxLines).map((l) => {
    if (l.length <= LINE_CHARS) return l;
    truncated = true;
    return `${l.slice(0, LINE_CHARS - 1)}…`;
  });
  let bytes = lines.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
  while (bytes > maxBytes && lines.length > 1) {
    bytes -= Buffer.byteLength(lines.shift()!) + 1;
    truncated = true;
  }
  return { lines, truncated };
}

export async function lastLines(dir: string): Promise<Tail> {
  try {
    const from = await tailCursor(dir, 'both', TAIL_LINES);
    const { chunks } = await readInterleaved(dir, from, READ_BYTES);
    const text = Buffer.concat(chunks.map((c) => c.data)).toString('utf8');
    return boundLines(text);
  } catch {
    // Output that cannot be read (removed meanwhile) leaves the answer without lines, not failed.
    return { lines: [], truncated: false };
  }
}
