// One recorded run as one line of a history segment (JSON Lines): the HistoryRun itself plus a
// format version. Decoding checks every field by hand (a valibot pass over 100,000 records at
// start-up would cost more than the whole load budget); a line that is not a record of this
// format is refused (null), never thrown at the loader.

import { FLAG_KINDS, JOB_KINDS, TERMINAL_STATES, type FlagKind } from '../../shared/job.js';
import { LIMIT_KINDS, type LimitKind } from '../../shared/limits.js';
import { OUTCOME_KINDS } from '../../shared/outcomes.js';
import type { FoundError, HistoryRun } from '../../shared/history.js';

export const HISTORY_FORMAT = 1;

/**
 * One line, ASCII only: characters beyond it are written as \uXXXX escapes (still plain JSON), so
 * the loader can decode a whole chunk at once and a character offset is a byte offset.
 */
export function encodeRun(run: HistoryRun): string {
  return `${JSON.stringify({ v: HISTORY_FORMAT, ...run }).replace(NON_ASCII, escapeChar)}\n`;
}

// A UTF-16 code unit at a time, so surrogate pairs become two escapes (valid JSON).
const NON_ASCII = /[\u0080-\uffff]/g;
const escapeChar = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

type Fields = Record<string, unknown>;

/** The run a line holds, or null when it is not a history record this daemon can read. */
export function decodeRun(text: string): HistoryRun | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const o = value as Fields;
  if (o.v !== HISTORY_FORMAT) return null;
  const ok =
    isInt(o.seq) && isInt(o.jobId) && isInt(o.run) && isStr(o.name) && isStr(o.signature) && isStr(o.command) && isStr(o.cwd) &&
    isStrArray(o.tags) && isStr(o.group) && KINDS.has(o.kind) &&
    isNum(o.startedAt) && isNum(o.endedAt) && isNum(o.durationMs) &&
    STATES.has(o.state) && OUTCOMES.has(o.outcome) &&
    isStrOrNull(o.outcomeDetail) && isIntOrNull(o.exitCode) && isStrOrNull(o.signal) && isInt(o.restarts) &&
    isNumOrNull(o.cpuPeak) && isNumOrNull(o.cpuAvg) && isNumOrNull(o.rssPeak) && isNumOrNull(o.rssAvg) &&
    isKinds<FlagKind>(o.flags, FLAGS) && isKinds<LimitKind>(o.violations, LIMITS) && isNumOrNull(o.readyAfterMs) &&
    isStrArray(o.stderrTail) && isErrors(o.errors);
  if (!ok) return null;
  const { v: _v, ...run } = o;
  return run as unknown as HistoryRun;
}

const KINDS = new Set<unknown>(JOB_KINDS);
const STATES = new Set<unknown>(TERMINAL_STATES);
const OUTCOMES = new Set<unknown>(OUTCOME_KINDS);
const FLAGS = new Set<unknown>(FLAG_KINDS);
const LIMITS = new Set<unknown>(LIMIT_KINDS);
const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const isInt = (x: unknown): x is number => Number.isSafeInteger(x);
const isStr = (x: unknown): x is string => typeof x === 'string';
const isStrOrNull = (x: unknown) => x === null || isStr(x);
const isNumOrNull = (x: unknown) => x === null || isNum(x);
const isIntOrNull = (x: unknown) => x === null || isInt(x);
const isStrArray = (x: unknown): x is string[] => Array.isArray(x) && x.every(isStr);
const isKinds = <K>(x: unknown, kinds: ReadonlySet<unknown>): x is K[] => Array.isArray(x) && x.every((k) => kinds.has(k));
const isErrors = (x: unknown): x is FoundError[] =>
  Array.isArray(x) && x.every((e) => typeof e === 'object' && e !== null && isStr((e as Fields).signature) && isStrOrNull((e as Fields).detail) && isStr((e as Fields).line));
