// Is a command getting slower? A least-squares line through the durations of its latest
// TREND.window successful runs over run index (recent behaviour: a long history of a command that
// slowed once and then held steady is not "getting slower" now), judged
// by two thresholds together: the slope relative to the mean (TREND.minRelativeSlope per run) and
// the slope's distance from noise (|slope / standard error| ≥ TREND.minTScore). A steady 10%/run
// slowdown over 20 runs passes both by far; ±20% noise around a flat mean passes neither
// (its standard error alone is ~0.5% of the mean per run at 20 runs).

import type { Trend } from '../../shared/analyze.js';
import { round } from './input.js';

export const TREND = { minRuns: 6, window: 20, minRelativeSlope: 0.02, minTScore: 3 } as const;

/** Sums a least-squares fit needs, filled one point at a time (x: run index 0, 1, ...). */
export interface TrendSums {
  n: number;
  sy: number;
  sxy: number;
  syy: number;
}

export const emptySums = (): TrendSums => ({ n: 0, sy: 0, sxy: 0, syy: 0 });

export function addPoint(s: TrendSums, y: number): void {
  s.sxy += s.n * y;
  s.sy += y;
  s.syy += y * y;
  s.n += 1;
}

export function fitTrend(s: TrendSums): Trend | null {
  const { n, sy, sxy, syy } = s;
  if (n < TREND.minRuns) return null;
  // x = 0..n-1: Σx and Σx² in closed form.
  const sx = (n * (n - 1)) / 2;
  const sxx = ((n - 1) * n * (2 * n - 1)) / 6;
  const varX = sxx - (sx * sx) / n;
  const mean = sy / n;
  if (varX <= 0 || mean <= 0) return null;
  const slope = (sxy - (sx * sy) / n) / varX;
  const syyCentered = Math.max(0, syy - (sy * sy) / n);
  const residual = Math.max(0, syyCentered - slope * slope * varX);
  const stderr = Math.sqrt(residual / (n - 2) / varX);
  const relative = slope / mean;
  // A perfect line has no residual: its slope is as far from noise as it gets.
  const t = stderr > 0 ? slope / stderr : slope === 0 ? 0 : Math.sign(slope) * 1e6;
  const significant = Math.abs(relative) >= TREND.minRelativeSlope && Math.abs(t) >= TREND.minTScore;
  return {
    runs: n,
    slopeMsPerRun: round(slope, 1),
    relativeSlope: round(relative, 4),
    tScore: round(Math.max(-1e6, Math.min(1e6, t)), 2),
    direction: significant ? (slope > 0 ? 'slower' : 'faster') : 'flat',
  };
}
