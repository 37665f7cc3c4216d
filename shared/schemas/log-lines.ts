// `logs`' filtered reading: the `lines` param and result field (a read within a budget; see
// shared/log-budget.ts for the limits and daemon/output/line-filter.ts for the rules).

import * as v from 'valibot';
import { MAX_ANSWER_BYTES, MAX_CONTEXT_LINES, MAX_SCAN_BYTES, MIN_SCAN_BYTES } from '../log-budget.js';
import { LIMITS } from '../field-limits.js';
import { bool, int, obj, opt, str } from './valid.js';

/** Read lines instead of raw chunks: filtered, collapsed and cut to a budget. The answer's `cursor` continues after what it shows. */
export const logLinesParams = obj({
  /** A JavaScript regular expression a line must match (on its first 4 KiB). Shapes that can backtrack exponentially are refused. */
  grep: opt(str({ min: 1, max: 4096 })),
  ignoreCase: opt(bool()),
  /** Only lines that show an error signature by themselves (daemon/history/error-signatures.ts: EADDRINUSE, ENOENT, a traceback's last line, `npm error` …); with `grep`, lines that match both. */
  errors: opt(bool()),
  /** Lines around each match (needs `grep`), with a `gap` item between groups that are not next to each other. */
  context: opt(int({ min: 0, max: MAX_CONTEXT_LINES })),
  /** Identical consecutive lines of the answer as one, with their `count`. */
  collapse: opt(bool()),
  /** At most this many lines (a collapsed run counts once). */
  head: opt(int({ min: 1, max: LIMITS.count })),
  /** The printed text of the answer (lines with newlines, `… ×N`, `--`), cut at a line boundary; default 1 MiB. */
  maxBytes: opt(int({ min: 256, max: MAX_ANSWER_BYTES })),
  /** Output bytes read and matched in this call at most (default 4 MiB): `scan.limited` then says more is to be read from `cursor`. */
  maxScanBytes: opt(int({ min: MIN_SCAN_BYTES, max: MAX_SCAN_BYTES })),
});

const lineItem = v.object({
  kind: v.literal('line'),
  stream: v.picklist(['stdout', 'stderr']),
  /** Without its newline; as UTF-8 (bytes that are not valid are replaced). */
  text: v.string(),
  /** When its first byte arrived (epoch ms); null when the index no longer reaches back that far. */
  at: v.nullable(v.number()),
  /** How many identical consecutive lines this one stands for (`collapse`); 1 otherwise. */
  count: v.number(),
  /** False for a context line around a match. */
  matched: v.boolean(),
  /** Bytes of this line left out: alone it was longer than `maxBytes`. */
  clippedBytes: v.optional(v.number()),
});

export const logLinesResult = v.object({
  items: v.array(v.variant('kind', [lineItem, v.object({ kind: v.literal('gap') })])),
  /** What `head` or `maxBytes` left out of the lines scanned (lines and printed bytes); `cursor` starts at the first of them. Null: nothing. */
  cut: v.nullable(v.object({ by: v.picklist(['head', 'maxBytes']), lines: v.number(), bytes: v.number() })),
  /**
   * Output bytes read and matched in this call; `limited`: it stopped (at `maxScanBytes`, or when
   * matching used its time) with more to read from `cursor`. `from`: where this read began in each
   * stream (above `dropped`: output before it was not read, e.g. by `tailLines`).
   */
  scan: v.object({ bytes: v.number(), limited: v.boolean(), from: v.optional(v.object({ stdout: v.number(), stderr: v.number() })) }),
});
