// Turning option text into protocol values, with usage errors (exit 2) that say what was wrong.

import { parseDuration, parseSize } from '../../shared/duration.js';
import type { JobRef } from '../../shared/methods.js';
import { EXIT, ExitError } from './exit-codes.js';

export function durationOption(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseDuration(text);
  if (ms === null) throw new ExitError(EXIT.usage, `--${name}: "${text}" is not a duration (examples: 500ms, 30s, 5m, 1h)`);
  return ms;
}

export function sizeOption(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = parseSize(text);
  if (n === null) throw new ExitError(EXIT.usage, `--${name}: "${text}" is not a size (examples: 512k, 64m, 1g)`);
  return n;
}

export function intOption(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new ExitError(EXIT.usage, `--${name}: "${text}" is not a whole number`);
  return Number(text);
}

/** A job given on the command line: digits are an id, anything else a name. */
export function jobRef(text: string): JobRef {
  return /^\d+$/.test(text) ? Number(text) : text;
}

export function requireJobs(positionals: string[], what = 'ID|NAME'): JobRef[] {
  if (positionals.length === 0) throw new ExitError(EXIT.usage, `missing ${what}`);
  return positionals.map(jobRef);
}
