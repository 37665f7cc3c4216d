// Default job names. A name is how `procd logs web` finds a job, so a default must be usable
// as one: never all digits (digits are read as an id), no spaces or control characters.

import { basename } from 'node:path';

const MAX_NAME = 100;

/** A usable name from a command (its program's base name) or a fallback such as `pid-123`. */
export function defaultJobName(program: string, fallback = 'job'): string {
  const base = basename(program.trim().split(/\s+/)[0] ?? '')
    .replace(/[\s\p{Cc}]/gu, '')
    .slice(0, MAX_NAME);
  if (!base) return fallback;
  return /^\d+$/.test(base) ? `job-${base}` : base;
}
