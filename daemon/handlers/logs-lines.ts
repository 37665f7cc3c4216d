// `logs` with `lines`: a window of output read from the cursor (at most `maxScanBytes`), split
// into lines, filtered and cut to the budget by daemon/output/line-filter.ts; the cursor returned
// continues after what the answer covers. The regex is checked here, once per call.

import { ErrorCode, ProcdError } from '../../shared/errors.js';
import { DEFAULT_ANSWER_BYTES, DEFAULT_SCAN_BYTES, MATCH_CHARS, MATCH_TIME_MS } from '../../shared/log-budget.js';
import type { LogsResult, ParamsOf } from '../../shared/methods.js';
import { regexHazard } from '../../shared/regex-hazard.js';
import { errorSignatureOfLine } from '../history/error-signatures.js';
import { splitByArrival, withOffsets } from '../output/chunk-times.js';
import { allOf, filterLines, matchUntil, type FilterSpec, type LinePredicate } from '../output/line-filter.js';
import { cursorAtLine, splitLines, type LogLine } from '../output/log-lines.js';
import { readIndex } from '../output/segment-index.js';
import { listOut, readInterleaved, readStream, type Cursor, type StreamChunk } from '../output/segments.js';

type LinesParams = NonNullable<ParamsOf<'logs'>['lines']>;
export type LinesAnswer = NonNullable<LogsResult['lines']>;

export interface LineFilter {
  spec: FilterSpec;
  scanBytes: number;
  /** How long matching may run in one call (MATCH_TIME_MS; a test gives less). */
  matchMs?: number;
}

/** The filter `lines` asks for; InvalidParams for a regex that is not one or that could stall the daemon. */
export function lineFilter(p: LinesParams): LineFilter {
  if (p.context !== undefined && p.context > 0 && p.grep === undefined) throw invalid('lines.context', 'context needs grep: it is the lines around each match');
  return {
    // Each filter is one line predicate; all of them must hold.
    spec: { match: allOf([grepPredicate(p), p.errors ? (text) => errorSignatureOfLine(text) !== null : null]), context: p.context ?? 0, collapse: p.collapse ?? false, head: p.head ?? null, maxBytes: p.maxBytes ?? DEFAULT_ANSWER_BYTES },
    scanBytes: p.maxScanBytes ?? DEFAULT_SCAN_BYTES,
  };
}

function grepPredicate(p: LinesParams): LinePredicate | null {
  if (p.grep === undefined) return null;
  const hazard = regexHazard(p.grep);
  if (hazard) throw invalid('lines.grep', `refused ${hazard}`);
  let re: RegExp;
  try {
    new RegExp(p.grep);
    re = new RegExp(unanchoredCore(p.grep), p.ignoreCase ? 'i' : '');
  } catch (err) {
    throw invalid('lines.grep', `not a valid regular expression: ${(err as Error).message}`);
  }
  return (text) => re.test(text.length > MATCH_CHARS ? text.slice(0, MATCH_CHARS) : text);
}

/**
 * The pattern without a leading or trailing `.*` (or `.*?`): a search tries every start position
 * anyway, so they change nothing of whether a line matches, and a leading one costs the square of
 * the line's length (`.*error.*timeout` took 4 s on one 64 KiB line).
 */
export function unanchoredCore(pattern: string): string {
  let p = pattern;
  while (/^\.\*\??(?![*+?{])/.test(p) && p.length > 2) p = p.replace(/^\.\*\??/, '');
  for (;;) {
    const m = /\.\*\??$/.exec(p);
    // Not an escaped dot: an even number of backslashes before it.
    if (!m || m.index === 0 || (/\\*$/.exec(p.slice(0, m.index))![0].length % 2) === 1) break;
    p = p.slice(0, m.index);
  }
  return p;
}

const invalid = (field: string, why: string) => new ProcdError(ErrorCode.InvalidParams, `invalid params.${field}: ${why}`, { field: `params.${field}` });

/**
 * A filtered read takes the output in slices of this size and reads no further slice once matching
 * has used its time: it split all 4 MiB into lines at once (up to a second on a busy machine) and,
 * when matching stopped after a tenth of it, the next read split most of it again.
 */
export const MATCH_SLICE_BYTES = 256 * 1024;

interface Window {
  lines: LogLine[];
  /** 1 where a line matched (a filtered read), by the line's place in `lines`. */
  hits: number[] | null;
  start: Cursor;
  /** After the last line of `lines` (or the bytes of a line still to come). */
  next: Cursor;
  bytes: number;
  /** Matching ran out of time before the output read (or to read) ended. */
  timeCut: boolean;
}

/** Reads from `cursor` (at most `scanBytes`, slice by slice when lines are matched) and splits it into lines, matching them until the time budget is spent. */
async function readWindow(dir: string, stream: 'stdout' | 'stderr' | 'both', cursor: Cursor, filter: LineFilter, ended: boolean): Promise<Window> {
  const match = filter.spec.match;
  const budget = filter.matchMs ?? MATCH_TIME_MS;
  // Time spent matching (the budget is for matching, as before slices; a slice's split is bounded by its size).
  let spent = 0;
  const w: Window = { lines: [], hits: match ? [] : null, start: { ...cursor }, next: { ...cursor }, bytes: 0, timeCut: false };
  for (let first = true; w.bytes < filter.scanBytes; first = false) {
    if (!first && spent >= budget) {
      w.timeCut = true;
      break;
    }
    const want = match ? Math.min(MATCH_SLICE_BYTES, filter.scanBytes - w.bytes) : filter.scanBytes;
    const raw = await readRaw(dir, stream, w.next, want);
    const got = raw.chunks.reduce((sum, c) => sum + c.data.length, 0);
    const from = { ...raw.cursor };
    for (const c of raw.chunks) from[c.stream] -= c.data.length;
    if (first) w.start = { ...from };
    if (got === 0) {
      w.next = first ? raw.cursor : w.next;
      break;
    }
    // Read after the bytes: the shim writes an entry before the bytes it describes.
    const entries = await readIndex(dir, (await listOut(dir)).index);
    w.bytes += got;
    const atEnd = got < want;
    const slice = splitLines(splitByArrival(withOffsets(raw.chunks, raw.cursor), entries), from, ended && atEnd && w.bytes < filter.scanBytes);
    if (match) {
      const base = w.lines.length;
      const t0 = performance.now();
      const m = matchUntil(slice.lines, (text, i) => match(text, base + i), Math.max(0, budget - spent));
      spent += performance.now() - t0;
      for (let i = 0; i < m.upTo; i++) w.hits!.push(m.hits[i]!);
      if (m.upTo < slice.lines.length) {
        w.lines.push(...slice.lines.slice(0, m.upTo));
        w.next = cursorAtLine(slice.lines, m.upTo, slice.next);
        w.timeCut = true;
        break;
      }
    }
    for (const l of slice.lines) w.lines.push(l);
    w.next = slice.next;
    if (atEnd) break;
  }
  return w;
}

/**
 * Reads one window from `cursor` and answers it. `ended`: the run's output is complete (no byte
 * will be added), so a last line without a newline is a line, not the start of one still coming.
 */
export async function readLines(dir: string, stream: 'stdout' | 'stderr' | 'both', cursor: Cursor, filter: LineFilter, ended: boolean): Promise<{ answer: LinesAnswer; cursor: Cursor }> {
  const w = await readWindow(dir, stream, cursor, filter, ended);
  const limited = w.bytes >= filter.scanBytes || w.timeCut;
  const hits = w.hits;
  const spec = hits ? { ...filter.spec, match: (_: string, i: number) => hits[i] === 1 } : filter.spec;
  const filtered = filterLines(w.lines, spec, limited);
  const items = filtered.items.map((item): LinesAnswer['items'][number] => {
    if (item.kind === 'gap') return { kind: 'gap' };
    const line = w.lines[item.first]!;
    const text = item.clippedBytes ? clip(line.text, item.clippedBytes) : line.text;
    return { kind: 'line', stream: line.stream, text, at: line.at, count: item.count, matched: item.matched, ...(item.clippedBytes ? { clippedBytes: item.clippedBytes } : {}) };
  });
  // The bytes scanned are those read and matched: a time cut leaves the rest for the next read.
  const scanned = w.timeCut ? w.next.stdout - w.start.stdout + (w.next.stderr - w.start.stderr) : w.bytes;
  return {
    answer: { items, cut: filtered.cut, scan: { bytes: scanned, limited, from: w.start } },
    cursor: cursorAtLine(w.lines, filtered.resume, w.next),
  };
}

async function readRaw(dir: string, stream: 'stdout' | 'stderr' | 'both', cursor: Cursor, maxBytes: number): Promise<{ chunks: StreamChunk[]; cursor: Cursor }> {
  if (stream === 'both') return readInterleaved(dir, cursor, maxBytes, false);
  const r = await readStream(dir, stream, cursor[stream], maxBytes);
  return { chunks: r.data.length ? [{ stream, data: r.data }] : [], cursor: { ...cursor, [stream]: r.next } };
}

/** The text without its last `drop` bytes, not splitting a character. */
function clip(text: string, drop: number): string {
  const buf = Buffer.from(text);
  let end = Math.max(0, buf.length - drop);
  while (end > 0 && (buf[end]! & 0xc0) === 0x80) end--;
  return buf.subarray(0, end).toString('utf8');
}

