// The last lines of a run's stderr, for its history record: a bounded read from the end of the
// stream's segments (never the whole output), cut to STDERR_TAIL_LINES lines and
// STDERR_TAIL_CHARS characters. Colour codes and carriage returns are dropped: the tail is read by
// people and by the error-signature patterns, not replayed to a terminal.

import { STDERR_TAIL_CHARS, STDERR_TAIL_LINES } from '../../shared/history.js';
import { setTimeout as delay } from 'node:timers/promises';
import { readStream, streamInfo } from '../output/segments.js';
import { readClosedFile } from '../output/spawn-spec.js';

/** Bytes read from the end: enough for the tail's lines whatever their encoding, and a bound on the cost. */
export const TAIL_READ_BYTES = 8 * STDERR_TAIL_CHARS;
/** A single line keeps at most this much of its start (where an error names itself). */
const LINE_CHARS = STDERR_TAIL_CHARS / 2;

/** How long a run's tail waits for its shim to have drained the pipes (a leftover may hold them open for ever). */
export const OUTPUT_CLOSED_WAIT_MS = 3000;
const POLL_MS = 25;

/**
 * The stderr tail of the run whose output is in `runDir`; [] when it wrote nothing or cannot be
 * read. `hadShim`: its shim writes `closed` once every byte is on disk (it may see the exit before
 * the last bytes): the tail is read after that, or after OUTPUT_CLOSED_WAIT_MS at most.
 */
export async function readStderrTail(runDir: string, hadShim: boolean): Promise<string[]> {
  return tailLines((await readStderrEnd(runDir, hadShim)).join('\n'), false);
}

/**
 * The clean, non-blank lines of the last TAIL_READ_BYTES of the run's stderr (the same wait for
 * `closed`): the error patterns look at all of them — Node's dump of an error puts its `code:`
 * seven lines from the end — while the record keeps the last STDERR_TAIL_LINES.
 */
export async function readStderrEnd(runDir: string, hadShim: boolean): Promise<string[]> {
  try {
    for (const deadline = Date.now() + OUTPUT_CLOSED_WAIT_MS; hadShim && Date.now() < deadline && !(await readClosedFile(runDir)); ) await delay(POLL_MS);
    const info = await streamInfo(runDir, 'stderr');
    if (info.end === 0) return [];
    const from = Math.max(info.start, info.end - TAIL_READ_BYTES);
    const { data } = await readStream(runDir, 'stderr', from, TAIL_READ_BYTES);
    return cleanLines(data.toString('utf8'), from > 0);
  } catch {
    return [];
  }
}

/** The lines of `text` without colour codes, carriage returns and blank lines (the first dropped when it may be the end of a longer one). */
function cleanLines(text: string, cutAtStart: boolean): string[] {
  let lines = text.split('\n');
  if (cutAtStart && lines.length > 1) lines = lines.slice(1);
  return lines.map((l) => l.replace(ESCAPES, '').replace(/\r/g, '').trimEnd()).filter((l) => l.trim() !== '');
}

// CSI and OSC sequences (colours, cursor moves, titles).
const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]/g;

/**
 * The last non-blank lines of `text`. `cutAtStart`: the text begins mid-stream, so its first line
 * may be the end of a longer one and is dropped (unless it is the only one).
 */
export function tailLines(text: string, cutAtStart: boolean): string[] {
  const clean = cleanLines(text, cutAtStart)
    .slice(-STDERR_TAIL_LINES)
    .map((l) => (l.length > LINE_CHARS ? `${l.slice(0, LINE_CHARS - 1)}…` : l));
  while (clean.length > 1 && clean.reduce((n, l) => n + l.length, 0) > STDERR_TAIL_CHARS) clean.shift();
  return clean;
}
