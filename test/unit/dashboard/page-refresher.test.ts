// The panels' re-reads on news (refresher.ts): a burst of news makes one read, reads keep a gap,
// never overlap, and news during a read makes exactly one more.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { makeRefresher } from '../../../client/dashboard/assets/refresher.js';

beforeEach(() => void vi.useFakeTimers());
afterEach(() => void vi.useRealTimers());

function reader() {
  const calls: { at: number; done: () => void }[] = [];
  const read = () => new Promise<void>((done) => calls.push({ at: Date.now(), done }));
  return { calls, read };
}

describe('makeRefresher', () => {
  it('makes a burst of news one read, after the delay', async () => {
    const { calls, read } = reader();
    const r = makeRefresher(read, { delayMs: 100, minGapMs: 500 });
    const start = Date.now();
    for (let i = 0; i < 50; i++) r.schedule();
    await vi.advanceTimersByTimeAsync(99);
    expect(calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls.map((c) => c.at - start)).toEqual([100]);
  });

  it('never reads twice at once: news during a read makes one more read, at least minGap after the first', async () => {
    const { calls, read } = reader();
    const r = makeRefresher(read, { delayMs: 0, minGapMs: 500 });
    const start = Date.now();
    r.now();
    expect(calls).toHaveLength(1);
    r.schedule();
    r.schedule();
    r.now();
    await vi.advanceTimersByTimeAsync(2000);
    expect(calls).toHaveLength(1); // the first has not answered
    calls[0]!.done();
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toHaveLength(2);
    expect(calls[1]!.at - start).toBeGreaterThanOrEqual(500);
    calls[1]!.done();
    await vi.advanceTimersByTimeAsync(5000);
    expect(calls).toHaveLength(2);
  });

  it('keeps the gap between reads, and a failed read does not stop later ones', async () => {
    let n = 0;
    const at: number[] = [];
    const r = makeRefresher(() => (at.push(Date.now()), ++n === 1 ? Promise.reject(new Error('down')) : Promise.resolve()), { delayMs: 10, minGapMs: 1000 });
    const start = Date.now();
    r.schedule();
    await vi.advanceTimersByTimeAsync(20);
    r.schedule();
    await vi.advanceTimersByTimeAsync(2000);
    expect(at.map((t) => t - start)).toEqual([10, 1010]);
  });
});
