// `track --wait-for`'s conditions are checked before the job starts: a typo (`lisen=3000`), a
// refused pattern or `ready` without a readiness probe would otherwise be found by the daemon only
// at the wait, with the job already running and, under --json, its id never printed. The same
// parser the daemon uses; loaded from cli.js (the bin does not carry it).

import { ConditionError, parseCondition } from '../../shared/condition-parser.js';
import { WAIT_CONDITIONS } from '../../shared/conditions.js';

/**
 * What is wrong with the first condition that cannot be waited for, or null. A message, not an
 * error: the bin that calls it has its own copy of the error classes (instanceof would not match).
 */
export function waitConditionsProblem(texts: readonly string[], hasReadinessProbe: boolean): string | null {
  for (const text of texts) {
    try {
      const c = parseCondition(text, WAIT_CONDITIONS);
      if (c.kind === 'ready' && !hasReadinessProbe) return '--wait-for ready needs a readiness probe: give --ready-when CONDITION (or wait for it directly: --wait-for listen=PORT); nothing was started';
    } catch (err) {
      if (err instanceof ConditionError) return `--wait-for ${text}: ${err.message}; nothing was started`;
      throw err;
    }
  }
  return null;
}
