import { describe, expect, it } from 'vitest';
import { BaselineBook, computeBaseline } from '../../../daemon/history/baseline.js';
import { BASELINE_WINDOW } from '../../../shared/history.js';

describe('computeBaseline', () => {
  it('is null below three successful runs', () => {
    expect(computeBaseline('s', [])).toBeNull();
    expect(computeBaseline('s', [1000, 2000])).toBeNull();
  });
  it('gives the median (mean of the middle two for an even count) and the nearest-rank p90', () => {
    expect(computeBaseline('s', [3000, 1000, 2000])).toEqual({ signature: 's', runs: 3, medianMs: 2000, p90Ms: 3000 });
    expect(computeBaseline('s', [1000, 4000, 2000, 3000])).toEqual({ signature: 's', runs: 4, medianMs: 2500, p90Ms: 4000 });
    const ten = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
    expect(computeBaseline('s', ten)).toMatchObject({ medianMs: 55, p90Ms: 90 });
  });
  it('looks only at the last BASELINE_WINDOW runs', () => {
    const old = Array.from({ length: 30 }, () => 100_000);
    const recent = Array.from({ length: BASELINE_WINDOW }, (_, i) => 1000 + i);
    expect(computeBaseline('s', [...old, ...recent])).toMatchObject({ runs: BASELINE_WINDOW, medianMs: 1010, p90Ms: 1017 });
  });
});

describe('BaselineBook', () => {
  it('counts completed runs with exit 0 only, per signature, within the window', () => {
    const book = new BaselineBook();
    let seq = 0;
    const note = (signature: string, durationMs: number, state: 'completed' | 'failed' | 'killed' = 'completed', exitCode: number | null = 0) =>
      book.note({ seq: ++seq, signature, durationMs, state, exitCode });
    note('a', 1000);
    note('a', 2000);
    note('a', 9000, 'failed', 1);
    note('a', 9000, 'killed', 143);
    note('b', 5);
    expect(book.baseline('a')).toBeNull();
    note('a', 3000);
    expect(book.baseline('a')).toMatchObject({ runs: 3, medianMs: 2000 });
    for (let i = 0; i < 40; i++) note('a', 500);
    expect(book.baseline('a')).toMatchObject({ runs: BASELINE_WINDOW, medianMs: 500, p90Ms: 500 });
    expect(book.baseline('b')).toBeNull();
  });
});
