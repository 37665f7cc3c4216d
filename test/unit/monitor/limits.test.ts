// The sampled limit decision as a pure function, fed with made-up readings: which limits are
// exceeded, which of those are new violations, and CPU judged over a window, never on a spike.

import { describe, expect, it } from 'vitest';
import type { ResourceSample } from '../../../shared/job.js';
import type { JobLimits } from '../../../shared/limits.js';
import { checkLimits, cpuHistory, NO_LIMIT_WATCH, windowAverage, type LimitWatch } from '../../../daemon/monitor/limits.js';

const NONE: JobLimits = { maxMemoryBytes: null, maxCpuPercent: null, maxFds: null, maxProcs: null, onLimit: 'kill' };
const MiB = 1 << 20;

function sample(over: Partial<ResourceSample> = {}): ResourceSample {
  return { at: 0, cpuPercent: 0, rssBytes: 10 * MiB, mainRssBytes: 10 * MiB, processes: 1, threads: 1, fds: 3, states: { S: 1 }, ...over };
}

/** Feeds readings in order, as the monitor does, and returns every check. */
function feed(limits: JobLimits, samples: ResourceSample[], windowMs?: number) {
  let watch: LimitWatch = NO_LIMIT_WATCH;
  return samples.map((s) => {
    const check = checkLimits(limits, s, watch, windowMs);
    watch = check.watch;
    return check;
  });
}

describe('checkLimits', () => {
  it('finds nothing when no limit is set, whatever the figures', () => {
    const [check] = feed(NONE, [sample({ rssBytes: 1e12, processes: 1e6, fds: 1e6, cpuPercent: 1e4 })]);
    expect(check!.exceeded).toEqual([]);
    expect(check!.violations).toEqual([]);
  });

  it('memory: the whole tree over the limit is a violation with the figure seen, the limit and the time', () => {
    const limits = { ...NONE, maxMemoryBytes: 50 * MiB };
    const [under, at, over] = feed(limits, [sample({ at: 1, rssBytes: 40 * MiB }), sample({ at: 2, rssBytes: 50 * MiB }), sample({ at: 3, rssBytes: 200 * MiB })]);
    expect(under!.violations).toEqual([]);
    expect(at!.violations).toEqual([]); // at the limit is allowed
    expect(over!.violations).toEqual([{ limit: 'memory', value: 200 * MiB, max: 50 * MiB, at: 3, action: 'kill' }]);
  });

  it('procs and fds count the tree; an unreadable fd count (null) never violates', () => {
    const limits = { ...NONE, maxProcs: 50, maxFds: 100, onLimit: 'warn' as const };
    const [procs, fdsUnknown, fds] = feed(limits, [sample({ at: 1, processes: 51 }), sample({ at: 2, processes: 51, fds: null }), sample({ at: 3, processes: 10, fds: 101 })]);
    expect(procs!.violations).toEqual([{ limit: 'procs', value: 51, max: 50, at: 1, action: 'warn' }]);
    expect(fdsUnknown!.violations).toEqual([]); // procs still over: not a new violation
    expect(fdsUnknown!.exceeded.map((e) => e.limit)).toEqual(['procs']);
    expect(fds!.violations).toEqual([{ limit: 'fds', value: 101, max: 100, at: 3, action: 'warn' }]);
  });

  it('a limit that stays exceeded is one violation; exceeded again after coming back under is a new one', () => {
    const limits = { ...NONE, maxMemoryBytes: 50 * MiB, onLimit: 'warn' as const };
    const rss = [60, 70, 80, 40, 90];
    const checks = feed(limits, rss.map((m, i) => sample({ at: i, rssBytes: m * MiB })));
    expect(checks.map((c) => c.violations.length)).toEqual([1, 0, 0, 0, 1]);
    expect(checks.map((c) => c.exceeded.length)).toEqual([1, 1, 1, 0, 1]);
  });

  it('several limits at once are several violations, in a fixed order', () => {
    const limits = { ...NONE, maxMemoryBytes: MiB, maxProcs: 1, maxFds: 1 };
    const [check] = feed(limits, [sample({ at: 5, rssBytes: 2 * MiB, processes: 2, fds: 2 })]);
    expect(check!.violations.map((v) => v.limit)).toEqual(['memory', 'fds', 'procs']);
  });

  describe('cpu, sustained over the window', () => {
    const limits = { ...NONE, maxCpuPercent: 50 };
    const every2s = (cpus: (number | null)[]) => cpus.map((cpuPercent, i) => sample({ at: 1000 + i * 2000, cpuPercent }));

    it('is judged only once readings cover the whole window: a 100% start is not yet a violation', () => {
      const checks = feed(limits, every2s([null, 100, 100, 100, 100, 100]), 10_000);
      expect(checks.map((c) => c.violations.length)).toEqual([0, 0, 0, 0, 0, 1]);
      expect(checks[5]!.violations[0]).toMatchObject({ limit: 'cpu', value: 100, max: 50 });
    });

    it('a short spike inside an otherwise quiet window does not count (2 s at 200% is 40% over 10 s)', () => {
      const checks = feed(limits, every2s([null, 0, 0, 200, 0, 0, 0, 0]), 10_000);
      expect(checks.flatMap((c) => c.violations)).toEqual([]);
    });

    it('averages over the window, weighting each reading by the interval it covers', () => {
      // 10 s window: 8 s at 40% and 2 s at 100% → 52% > 50.
      const checks = feed(limits, every2s([null, 40, 40, 40, 40, 100]), 10_000);
      expect(checks[5]!.exceeded).toEqual([{ limit: 'cpu', value: 52, max: 50 }]);
    });

    it('a first reading again (a new tree) starts the window over', () => {
      const checks = feed(limits, every2s([null, 100, 100, 100, 100, null, 100, 100]), 10_000);
      expect(checks.flatMap((c) => c.violations)).toEqual([]);
    });
  });
});

describe('cpu history', () => {
  it('keeps only the readings back to the last one at or before the window start', () => {
    const points = [0, 2000, 4000, 6000, 8000, 10_000, 12_000].reduce((h, at) => cpuHistory(h, { at, cpuPercent: 10 }, 10_000), [] as ReturnType<typeof cpuHistory>);
    expect(points.map((p) => p.at)).toEqual([2000, 4000, 6000, 8000, 10_000, 12_000]);
    expect(windowAverage(points, 10_000)).toBe(10);
  });

  it('has no average while the readings span less than the window', () => {
    expect(windowAverage([{ at: 0, cpuPercent: null }, { at: 9999, cpuPercent: 100 }], 10_000)).toBeNull();
    expect(windowAverage([], 10_000)).toBeNull();
  });
});
