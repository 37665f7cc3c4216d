// Reading logs within a budget (`logs`' `lines` params, `procd logs --grep/--head/--max-bytes/
// --collapse`): the limits the daemon applies and the defaults a context-bound reader (the MCP logs
// tool) uses. Plain constants and string helpers: the CLI may load this.

/** A line longer than this is cut into pieces of this size (as the `output=` probe matches it). */
export const LOG_LINE_MAX_BYTES = 64 * 1024;
/** The printed text of one answer when `lines.maxBytes` is not given (as the raw read's default). */
export const DEFAULT_ANSWER_BYTES = 1 << 20;
/** The most `lines.maxBytes` may ask for: the answer travels as one JSON frame. */
export const MAX_ANSWER_BYTES = 4 << 20;
/**
 * Output bytes one call reads and matches at most, unless `lines.maxScanBytes` says otherwise:
 * splitting and matching run on the daemon's event loop (4 MiB: ~40k lines of 100 bytes, tens of
 * milliseconds). The answer says when the scan stopped there and the cursor to read on from.
 */
export const DEFAULT_SCAN_BYTES = 4 << 20;
export const MIN_SCAN_BYTES = 1 << 20;
export const MAX_SCAN_BYTES = 32 << 20;
/**
 * A line is matched on its first 4,096 characters. JavaScript's regex engine tries every start
 * position, so even an innocent `\d+x` costs the square of the line's length: ~10 ms on 4 KiB of
 * digits here, ~2.5 s on 64 KiB.
 */
export const MATCH_CHARS = 4096;
/** Matching in one call stops after this long (at a line boundary; `scan.limited` says so). */
export const MATCH_TIME_MS = 100;
/** The most lines of context around a match. */
export const MAX_CONTEXT_LINES = 100;
/** Printed after a line standing for a run of identical lines: `… ×57`. */
export const repeatSuffix = (count: number): string => ` … ×${count}`;
/** Printed between groups of lines that are not next to each other (grep's `--`). */
export const GAP_TEXT = '--';

/**
 * What an agent's logs tool asks for when its caller gives nothing (the MCP server's `logs` tool):
 * the last 100 lines, identical lines counted once, the answer cut at 16 KiB at a line boundary
 * (about 4,000 tokens). The answer says what was cut and gives the cursor to read on from
 * (`cursor`, printed by the CLI as `--since-cursor C`), so the tool can say how to get more.
 */
export const MCP_LOGS_DEFAULTS = { tailLines: 100, lines: { maxBytes: 16 * 1024, collapse: true } } as const;

/** A logs cursor as the CLI prints and takes it (`--since-cursor`): `RUN.STDOUT.STDERR`, e.g. `1.2048.0`. */
export interface CursorTriple {
  run: number;
  stdout: number;
  stderr: number;
}

export function formatCursor(c: CursorTriple): string {
  return `${c.run}.${c.stdout}.${c.stderr}`;
}

/** The cursor in `text`, or null when it is not `RUN.STDOUT.STDERR` (whole numbers, run from 1). */
export function parseCursor(text: string): CursorTriple | null {
  const m = /^(\d{1,10})\.(\d{1,16})\.(\d{1,16})$/.exec(text.trim());
  if (!m) return null;
  const [run, stdout, stderr] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (run < 1 || run > 2 ** 31 || !Number.isSafeInteger(stdout) || !Number.isSafeInteger(stderr)) return null;
  return { run, stdout, stderr };
}
