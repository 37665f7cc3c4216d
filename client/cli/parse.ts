// Turning option text into protocol values, with usage errors (exit 2) that say what was wrong.
// Ranges are checked here too, so a bad value names the option the user typed (`--timeout`),
// not the protocol field the daemon would reject (`params.timeoutMs`).

import { formatBytes, parseDuration, parseSize } from '../../shared/duration.js';
import { LIMITS, type JobRef } from '../../shared/methods.js';
import { nameProblem } from '../../shared/names.js';
import { EXIT, ExitError } from './exit-codes.js';

/** The protocol's own limits (shared/methods.ts), checked here so a bad value names the option. */
export { LIMITS };

export interface Range {
  min?: number;
  max?: number;
  /** Said when the value is below `min`, e.g. "omit --timeout for none". */
  belowMinHint?: string;
}

export function durationOption(name: string, text: string | undefined, range: Range = {}): number | undefined {
  if (text === undefined) return undefined;
  // `-1s`: below any minimum, said as such (with the option's hint) rather than "not a duration".
  if (text.startsWith('-') && parseDuration(text.slice(1)) !== null) return inRange(name, text, -1, { max: LIMITS.durationMs, ...range }, durationText, ['short', 'long']);
  const ms = parseDuration(text);
  if (ms === null) throw new ExitError(EXIT.usage, `--${name}: "${text}" is not a duration (examples: 500ms, 30s, 5m, 1h)`);
  return inRange(name, text, ms, { max: LIMITS.durationMs, ...range }, durationText, ['short', 'long']);
}

export function sizeOption(name: string, text: string | undefined, range: Range = {}): number | undefined {
  if (text === undefined) return undefined;
  const n = parseSize(text);
  if (n === null) throw new ExitError(EXIT.usage, `--${name}: "${text}" is not a size (examples: 512k, 64m, 1g)`);
  return inRange(name, text, n, range, formatBytes, ['small', 'large']);
}

export function intOption(name: string, text: string | undefined, range: Range = {}): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new ExitError(EXIT.usage, `--${name}: "${text}" is not a whole number`);
  return inRange(name, text, Number(text), range, String, ['small', 'large']);
}

type Words = readonly [small: string, large: string];

function inRange(name: string, text: string, value: number, range: Range, show: (n: number) => string, [small, large]: Words): number {
  const { min = 0, max = Number.MAX_SAFE_INTEGER, belowMinHint } = range;
  if (value < min) throw new ExitError(EXIT.usage, `--${name}: "${text}" is ${value < 0 ? 'negative' : `too ${small}`}: at least ${show(min)}${belowMinHint ? ` (${belowMinHint})` : ''}`);
  if (value > max) throw new ExitError(EXIT.usage, `--${name}: "${text}" is too ${large}: at most ${show(max)}`);
  return value;
}

/** `1ms`, `5m`, `3650d`: limits as a user would type them. */
function durationText(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) if (ms > 0 && ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

/** A job given on the command line: digits are an id, anything else a name. */
export function jobRef(text: string): JobRef {
  if (!/^\d+$/.test(text)) return text;
  const id = Number(text);
  if (id < 1 || !Number.isSafeInteger(id)) throw new ExitError(EXIT.usage, `"${text}" is not a job id (ids are whole numbers from 1)`);
  return id;
}

export function requireJobs(positionals: string[], what = 'ID|NAME'): JobRef[] {
  if (positionals.length === 0) throw new ExitError(EXIT.usage, `missing ${what}`);
  return positionals.map(jobRef);
}

/** A `--name` value, refused here with the rule it breaks (the daemon checks the same rules). */
export function nameOption(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const problem = nameProblem(text);
  if (problem) throw new ExitError(EXIT.usage, `--name ${JSON.stringify(text)} ${problem.problem}`);
  return text;
}
