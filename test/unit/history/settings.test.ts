import { describe, expect, it } from 'vitest';
import { optionsFromEnv } from '../../../daemon/main.js';
import { historyBounds, segmentRunsFor } from '../../../daemon/history/settings.js';

describe('history settings', () => {
  it('reads PROCD_HISTORY_MAX_RUNS and PROCD_HISTORY_MAX_AGE, and warns (keeping the default) on a bad value', () => {
    expect(optionsFromEnv({ PROCD_HISTORY_MAX_RUNS: '5000', PROCD_HISTORY_MAX_AGE: '7d' }).history).toEqual({ maxRuns: 5000, maxAgeMs: 7 * 86_400_000 });
    const bad = optionsFromEnv({ PROCD_HISTORY_MAX_RUNS: 'lots', PROCD_HISTORY_MAX_AGE: '0s' });
    expect(bad.history).toEqual({});
    expect(bad.configWarnings?.join('\n')).toMatch(/PROCD_HISTORY_MAX_RUNS=lots is not a run count[\s\S]*PROCD_HISTORY_MAX_AGE=0s is not a positive duration/);
    expect(historyBounds({})).toEqual({ maxRuns: 100_000, maxAgeMs: 30 * 86_400_000 });
  });
  it('sizes segments at an eighth of the bound, within 256..16384 runs', () => {
    expect(segmentRunsFor(100_000)).toBe(12_500);
    expect(segmentRunsFor(10)).toBe(256);
    expect(segmentRunsFor(10_000_000)).toBe(16_384);
  });
});
