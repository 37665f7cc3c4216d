// accumulate(): folding one resource sample into a run's peak/average statistics.

import { describe, expect, it } from 'vitest';
import type { ResourceSample, ResourceStats } from '../../../shared/job.js';
import { accumulate } from '../../../daemon/monitor/monitor.js';

function sample(cpuPercent: number | null, rssBytes: number, processes = 1, at = 0): ResourceSample {
  return { at, cpuPercent, rssBytes, mainRssBytes: rssBytes, processes, threads: processes, fds: 3, states: { S: processes } };
}

const fold = (samples: ResourceSample[]): ResourceStats => samples.reduce<ResourceStats | null>((s, x) => accumulate(s, x), null)!;

describe('accumulate', () => {
  it('starts from nothing with the first sample', () => {
    const s = sample(40, 1000, 2, 7);
    expect(accumulate(null, s)).toEqual({ samples: 1, cpuSamples: 1, cpuPeak: 40, cpuAvg: 40, rssPeak: 1000, rssAvg: 1000, processesPeak: 2, last: s });
  });

  it('keeps peaks and running means, and the last sample', () => {
    const last = sample(30, 3000, 1);
    const r = fold([sample(10, 1000, 3), sample(50, 5000, 2), last]);
    expect(r.samples).toBe(3);
    expect(r.cpuPeak).toBe(50);
    expect(r.cpuAvg).toBeCloseTo(30, 1);
    expect(r.rssPeak).toBe(5000);
    expect(r.rssAvg).toBe(3000);
    expect(r.processesPeak).toBe(3);
    expect(r.last).toBe(last);
    expect(r.cpuPeak).toBeGreaterThanOrEqual(r.cpuAvg);
    expect(r.rssPeak).toBeGreaterThanOrEqual(r.rssAvg);
  });

  it('does not feed an unknown CPU reading into the peak', () => {
    const r = fold([sample(20, 100), sample(null, 100)]);
    expect(r.cpuPeak).toBe(20);
    expect(r.cpuAvg).toBeCloseTo(20, 5);
    expect(r.samples).toBe(2);
    expect(r.last?.cpuPercent).toBeNull();
  });

  it('averages CPU over known readings only: the first reading of a new process (always null) is not a 0%', () => {
    // Every job's first sample has cpuPercent null (no previous reading). A busy loop read
    // null, 100, 100 has used 100% of a core on average, not 66.7%.
    const r = fold([sample(null, 100), sample(100, 100), sample(100, 100)]);
    expect(r.cpuPeak).toBe(100);
    expect(r.cpuAvg).toBeCloseTo(100, 1);
  });

  it('keeps the average stable over many equal readings (no drift from rounding)', () => {
    const r = fold(Array.from({ length: 1000 }, () => sample(33.3, 12345)));
    expect(r.cpuAvg).toBeCloseTo(33.3, 1);
    expect(r.rssAvg).toBe(12345);
    expect(r.samples).toBe(1000);
  });
});
