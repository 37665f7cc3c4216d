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
import { cursorAtLine, splitLines } from '../output/log-lines.js';
import { readIndex } from '../output/segment-index.js';
import { listOut, readInterleaved, readStream, type Cursor, type StreamChunk } from '../output/segments.js';

type LinesParams = NonNullable<ParamsOf<'logs'>['lines']>;
export type LinesAnswer = NonNullable<LogsResult['lines']>;

export interface LineFilter {
  spec: FilterSpec;
  scanBytes: number;
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
 * Reads one window from `cursor` and answers it. `ended`: the run's output is complete (no byte
 * will be added), so a last line without a newline is a line, not the start of one still coming.
 */
export async function readLines(dir: string, stream: 'stdout' | 'stderr' | 'both', cursor: Cursor, filter: LineFilter, ended: boolean): Promise<{ answer: LinesAnswer; cursor: Cursor }> {
  const raw = await readRaw(dir, stream, cursor, filter.scanBytes);
  const bytes = raw.chunks.reduce((sum, c) => sum + c.data.length, 0);
  const limited = bytes >= filter.scanBytes;
  const entries = raw.chunks.length ? await readIndex(dir, (await listOut(dir)).index) : [];
  const pieces = splitByArrival(withOffsets(raw.chunks, raw.cursor), entries);
  const start = { ...raw.cursor };
  for (const c of raw.chunks) start[c.stream] -= c.data.length;
  const window = splitLines(pieces, start, ended && !limited);
  // Matching stops after MATCH_TIME_MS: the window then ends there, to be read on from.
  const matched = filter.spec.match ? matchUntil(window.lines, filter.spec.match, MATCH_TIME_MS) : null;
  const lines = matched ? window.lines.slice(0, matched.upTo) : window.lines;
  const cutShort = lines.length < window.lines.length;
  const spec = matched ? { ...filter.spec, match: (_: string, i: number) => matched.hits[i] === 1 } : filter.spec;
  const filtered = filterLines(lines, spec, limited || cutShort);
  const items = filtered.items.map((item): LinesAnswer['items'][number] => {
    if (item.kind === 'gap') return { kind: 'gap' };
    const line = window.lines[item.first]!;
    const text = item.clippedBytes ? clip(line.text, item.clippedBytes) : line.text;
    return { kind: 'line', stream: line.stream, text, at: line.at, count: item.count, matched: item.matched, ...(item.clippedBytes ? { clippedBytes: item.clippedBytes } : {}) };
  });
  return {
    answer: { items, cut: filtered.cut, scan: { bytes, limited: limited || cutShort } },
    cursor: cursorAtLine(window.lines, filtered.resume, window.next),
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

