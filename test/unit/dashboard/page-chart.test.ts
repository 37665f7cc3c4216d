// The trend charts' geometry: values scaled into the box, gaps (null) break the line, a lone
// value between gaps becomes a dot.

import { describe, expect, it } from 'vitest';
import { lineGeometry } from '../../../client/dashboard/assets/chart.js';

describe('lineGeometry', () => {
  it('scales to the box: 0 at the bottom, the largest value at the top', () => {
    expect(lineGeometry([0, 5, 10], 100, 50)).toEqual({ path: 'M0 50 L50 25 L100 0', dots: [], max: 10 });
  });

  it('breaks the line at gaps and keeps a lone value as a dot', () => {
    const g = lineGeometry([1, 2, null, 4, null, 2, 1], 60, 40);
    expect(g.path).toBe('M0 30 L10 20 M50 20 L60 30');
    expect(g.dots).toEqual([{ x: 30, y: 0 }]);
    expect(g.max).toBe(4);
  });

  it('draws nothing for no data, and a flat line at the bottom for all zeros', () => {
    expect(lineGeometry([null, null], 10, 10)).toEqual({ path: '', dots: [], max: 0 });
    expect(lineGeometry([0, 0], 10, 10).path).toBe('M0 10 L10 10');
    expect(lineGeometry([], 10, 10)).toEqual({ path: '', dots: [], max: 0 });
  });
});
