// The poll helper itself: it resolves with the first truthy value, a throw from the check fails
// at once, and the deadline's error says what was awaited and what was seen last.

import { describe, expect, it } from 'vitest';
import { waitFor } from './wait-for.js';

describe('waitFor', () => {
  it('resolves with the first truthy value the check returns', async () => {
    let n = 0;
    await expect(waitFor(() => (++n >= 3 ? { n } : null), { what: 'three checks', everyMs: 1 })).resolves.toEqual({ n: 3 });
  });

  it('fails after the deadline naming what it waited for and the last value', async () => {
    const started = Date.now();
    await expect(waitFor(() => 0, { what: 'the thing', timeoutMs: 50, everyMs: 5 })).rejects.toThrow(
      /^timed out after 50 ms waiting for the thing \(\d+ checks, last value: 0\)$/,
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(50);
  });

  it('passes on an error thrown by the check at once', async () => {
    const err = new Error('no such job');
    await expect(waitFor(() => { throw err; }, { what: 'x', timeoutMs: 10_000 })).rejects.toBe(err);
  });
});
