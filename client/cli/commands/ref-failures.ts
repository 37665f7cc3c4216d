// How kill and rm report the jobs they could not act on: one stderr line each, in the same form
// as any other error (message, then the code), so one finished job among several is visible.

import type { RefFailure } from '../../../shared/methods.js';
import type { Output } from '../output.js';

export function printFailures(out: Output, command: string, failed: readonly RefFailure[]): void {
  for (const f of failed) out.err(`procd ${command}: ${f.error.message} [${f.error.name} ${f.error.code}]`);
}
