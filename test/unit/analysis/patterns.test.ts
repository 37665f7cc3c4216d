import { describe, expect, it } from 'vitest';
import { patterns } from '../../../daemon/analysis/patterns.js';
import { percentiles } from '../../../daemon/analysis/select.js';
import { addPoint, emptySums, fitTrend } from '../../../daemon/analysis/duration-trend.js';
import type { HistoryRun } from '../../../shared/history.js';
import { failedRun, makeRun } from '../../helpers/history-runs.js';

/** A seeded generator: the same "noise" on every run of the test. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

function trendOf(durations: number[]) {
  const sums = emptySums();
  for (const d of durations) addPoint(sums, d);
  return fitTrend(sums);
}

describe('duration trend (least squares over run index)', () => {
  it('detects a 10% per run slowdown over 20 runs', () => {
    const linear = Array.from({ length: 20 }, (_, i) => 10_000 * (1 + 0.1 * i));
    expect(trendOf(linear)).toMatchObject({ runs: 20, direction: 'slower', slopeMsPerRun: 1000 });
    const compound = Array.from({ length: 20 }, (_, i) => 10_000 * 1.1 ** i);
    expect(trendOf(compound)?.direction).toBe('slower');
  });

  it('detects it through ±20% noise too', () => {
    const rnd = lcg(7);
    const noisy = Array.from({ length: 20 }, (_, i) => 10_000 * (1 + 0.1 * i) * (0.8 + 0.4 * rnd()));
    expect(trendOf(noisy)?.direction).toBe('slower');
  });

  it('stays quiet on ±20% noise around a flat mean (200 different noises)', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const rnd = lcg(seed);
      const flat = Array.from({ length: 20 }, () => 10_000 * (0.8 + 0.4 * rnd()));
      const t = trendOf(flat);
      expect(t?.direction, `seed ${seed}: ${JSON.stringify(t)}`).toBe('flat');
    }
  });

  it('a speed-up is `faster`; fewer than 6 runs give no trend', () => {
    expect(trendOf(Array.from({ length: 12 }, (_, i) => 20_000 - 1500 * i))?.direction).toBe('faster');
    expect(trendOf([1, 2, 3, 4, 5])).toBeNull();
  });
});

describe('patterns', () => {
  const A = { signature: 'a', command: 'make a', cwd: '/a' };
  const B = { signature: 'b', command: 'make b', cwd: '/b' };

  it('counts runs, failures, durations and exit statuses overall and per signature', () => {
    const runs: HistoryRun[] = [
      makeRun({ ...A, durationMs: 100 }),
      makeRun({ ...A, durationMs: 200 }),
      failedRun({ ...A, durationMs: 300, exitCode: 2 }),
      failedRun({ ...A, durationMs: 400, exitCode: 2, restarts: 1, run: 2 }),
      makeRun({ ...B, durationMs: 1000, state: 'timed_out', outcome: 'timeout', exitCode: 143, signal: 'SIGTERM' }),
      makeRun({ ...B, durationMs: 2000, state: 'killed', outcome: 'signal', exitCode: 143, signal: 'SIGTERM' }),
    ];
    const p = patterns(runs);
    expect(p.overall).toMatchObject({ runs: 6, failures: 3, failureRate: 0.5, avgMs: 667, p50Ms: 300, p95Ms: 2000, restarts: 1 });
    expect(p.overall.exitCodes).toEqual([{ value: 2, count: 2 }]);
    expect(p.overall.signals).toEqual([{ value: 'SIGTERM', count: 2 }]);
    const a = p.bySignature.find((s) => s.signature === 'a');
    expect(a).toMatchObject({ runs: 4, failures: 2, failureRate: 0.5, avgMs: 250, p50Ms: 200, p95Ms: 400, command: 'make a', cwd: '/a' });
    expect(p.bySignature.find((s) => s.signature === 'b')).toMatchObject({ runs: 2, failures: 1 });
  });

  it('alternating pass/fail is flaky; a streak of failures is not', () => {
    const alternating = Array.from({ length: 8 }, (_, i) => (i % 2 ? failedRun(A) : makeRun(A)));
    const streak = [makeRun(B), makeRun(B), makeRun(B), makeRun(B), failedRun(B), failedRun(B), failedRun(B), failedRun(B)];
    const p = patterns([...alternating, ...streak]);
    expect(p.bySignature.find((s) => s.signature === 'a')).toMatchObject({ flaky: true, flipRate: 1 });
    expect(p.bySignature.find((s) => s.signature === 'b')).toMatchObject({ flaky: false, flipRate: 0.143 });
  });

  it('the trend is over successful runs only', () => {
    const runs = Array.from({ length: 20 }, (_, i) => makeRun({ ...A, durationMs: 1000 * (1 + 0.1 * i) }));
    runs.push(failedRun({ ...A, durationMs: 5 }));
    expect(patterns(runs).bySignature[0]?.trend).toMatchObject({ runs: 20, direction: 'slower' });
  });
});

describe('percentiles by selection', () => {
  it('equal the nearest-rank percentiles of the sorted values (duplicates, runs, random)', () => {
    const rnd = lcg(3);
    const cases = [[5], [2, 1], [3, 3, 3, 3], Array.from({ length: 1000 }, (_, i) => i), Array.from({ length: 1000 }, (_, i) => 1000 - i), Array.from({ length: 777 }, () => Math.floor(rnd() * 50))];
    for (const values of cases) {
      const sorted = [...values].sort((a, b) => a - b);
      const rank = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
      expect(percentiles(values, [0.5, 0.95])).toEqual([rank(0.5), rank(0.95)]);
    }
    expect(percentiles([], [0.5])).toEqual([null]);
  });
});

describe('the trend is over the latest runs', () => {
  it('a command that slowed long ago and held steady since is flat now; one slowing in its last 20 runs is slower', () => {
    const steadyAfter = [...Array.from({ length: 20 }, (_, i) => 1000 * (1 + 0.1 * i)), ...Array.from({ length: 30 }, () => 3000)];
    expect(patterns(steadyAfter.map((durationMs) => makeRun({ signature: 's', durationMs }))).bySignature[0]?.trend?.direction).toBe('flat');
    const lateSlowdown = [...Array.from({ length: 200 }, () => 1000), ...Array.from({ length: 20 }, (_, i) => 1000 * (1 + 0.1 * i))];
    expect(patterns(lateSlowdown.map((durationMs) => makeRun({ signature: 'l', durationMs }))).bySignature[0]?.trend).toMatchObject({ runs: 20, direction: 'slower' });
  });
});
