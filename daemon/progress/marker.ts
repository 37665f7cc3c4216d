// The progress marker: a line a job prints on its stdout to report progress without the CLI.
//
//   ::procd progress 67                        67%
//   ::procd progress 67%                       67%
//   ::procd progress 67/200                    67 of 200 items
//   ::procd progress 67/200 phase=URL 2 of 3   …and the phase (the rest of the line; `phase=` clears it)
//
// The whole line, from its first byte: `::procd progress ` and a number, nothing before it (no
// indent, no colour codes), at most MAX_MARKER_BYTES. Ordinary output does not start a line with
// `::procd progress` by accident; a line that does but does not parse is reported as invalid
// (logged by the daemon), never taken half. The line stays in the job's output as written.
//
// Pure: the scanner finds complete marker lines in stdout as it arrives, chunk by chunk, without
// splitting the rest of the output into lines (one native search per chunk), and keeps at most
// MAX_MARKER_BYTES between chunks.

import { progressProblem, type ProgressReport } from '../../shared/progress.js';

export const MARKER_PREFIX = '::procd progress';
/** The longest marker line taken; a longer line starting with the prefix is ignored. */
export const MARKER_MAX_BYTES = 512;

export type MarkerParse = { kind: 'report'; report: ProgressReport } | { kind: 'invalid'; reason: string };

const SHAPE = /^::procd progress (\d+(?:\.\d+)?)(?:(%)|\/(\d+(?:\.\d+)?))?(?: phase=(.*))?$/;

/** A line (without its newline) read as a marker: null when it is not one, `invalid` when it starts like one but does not parse. */
export function parseMarker(line: string): MarkerParse | null {
  if (!line.startsWith(MARKER_PREFIX)) return null;
  const text = line.replace(/[ \r]+$/, '');
  const m = SHAPE.exec(text);
  if (!m) return { kind: 'invalid', reason: `not "${MARKER_PREFIX} N[%|/TOTAL] [phase=TEXT]"` };
  const report: ProgressReport = { done: Number(m[1]), total: m[3] === undefined ? null : Number(m[3]) };
  if (m[4] !== undefined) report.phase = m[4].trim();
  const problem = progressProblem(report);
  return problem ? { kind: 'invalid', reason: problem } : { kind: 'report', report };
}

/** Where the scan of one stream stands between chunks. */
export interface MarkerScan {
  /** The next byte begins a line. */
  atLineStart: boolean;
  /** The start of a line that may be a marker, waiting for its newline. */
  carry: Buffer | null;
}

export const freshMarkerScan = (atLineStart = true): MarkerScan => ({ atLineStart, carry: null });

const PREFIX = Buffer.from(MARKER_PREFIX);
const NEEDLE = Buffer.from(`\n${MARKER_PREFIX}`);
const NL = 0x0a;

/**
 * Feeds the next bytes of stdout and returns the marker lines they complete (CR and newline
 * removed). `skipped` > 0: that many bytes were dropped before `data` (the output cap, or the
 * reader skipping ahead), so `data` begins in the middle of a line.
 */
export function scanMarkers(state: MarkerScan, data: Buffer, skipped = 0): string[] {
  const lines: string[] = [];
  if (skipped > 0) Object.assign(state, freshMarkerScan(false));
  let pos = 0;
  if (state.carry || !state.atLineStart) {
    const nl = data.indexOf(NL);
    if (nl < 0) {
      state.carry = state.carry ? mayBeMarker(Buffer.concat([state.carry, data])) : null;
      state.atLineStart = false;
      return lines;
    }
    if (state.carry) takeLine(Buffer.concat([state.carry, data.subarray(0, nl)]), lines);
    state.carry = null;
    pos = nl + 1;
  }
  // `pos` begins a line; every later marker begins right after a newline.
  let candidate = pos;
  while (candidate < data.length) {
    if (data.length - candidate > PREFIX.length && data.compare(PREFIX, 0, PREFIX.length, candidate, candidate + PREFIX.length) === 0) {
      const nl = data.indexOf(NL, candidate);
      if (nl < 0) break; // the tail: carried below
      takeLine(data.subarray(candidate, nl), lines);
      candidate = nl;
    }
    const found = data.indexOf(NEEDLE, candidate);
    if (found < 0) break;
    candidate = found + 1;
  }
  // The last line, unfinished: kept only while it may still become a marker.
  const lastStart = Math.max(pos, data.lastIndexOf(NL) + 1);
  state.atLineStart = lastStart === data.length;
  state.carry = state.atLineStart ? null : mayBeMarker(Buffer.from(data.subarray(lastStart)));
  return lines;
}

/** The bytes if they can still be the start of a marker line (a prefix of the prefix, or the prefix and not too long). */
function mayBeMarker(bytes: Buffer): Buffer | null {
  if (bytes.length > MARKER_MAX_BYTES) return null;
  const n = Math.min(bytes.length, PREFIX.length);
  return bytes.compare(PREFIX, 0, n, 0, n) === 0 ? bytes : null;
}

function takeLine(line: Buffer, out: string[]): void {
  if (line.length > MARKER_MAX_BYTES || line.length < PREFIX.length || line.compare(PREFIX, 0, PREFIX.length, 0, PREFIX.length) !== 0) return;
  out.push(line.toString('utf8').replace(/\r$/, ''));
}
