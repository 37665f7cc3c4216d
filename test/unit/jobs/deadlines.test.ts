import { describe, expect, it } from 'vitest';
import { MAX_TIMER_MS } from '../../../daemon/jobs/clock.js';
import { Deadlines } from '../../../daemon/jobs/deadlines.js';
import { FakeClock } from './fake-clock.js';

const DAY = 86_400_000;

describe('Deadlines', () => {
  it('fires at the due time, not before', () => {
    const clock = new FakeClock();
    const d = new Deadlines(clock);
    let fired = 0;
    d.after('a', 500, () => fired++);
    clock.advance(499);
    expect(fired).toBe(0);
    clock.advance(1);
    expect(fired).toBe(1);
    expect(d.has('a')).toBe(false);
  });

  it('a 30-day deadline fires after 30 days, never early, with every timer within Node’s limit', () => {
    const clock = new FakeClock();
    const d = new Deadlines(clock);
    let firedAt: number | null = null;
    const start = clock.now();
    d.after('t', 30 * DAY, () => (firedAt = clock.now()));
    clock.advance(43);
    expect(firedAt).toBeNull();
    clock.advance(29 * DAY);
    expect(firedAt).toBeNull();
    clock.advance(DAY);
    expect(firedAt).toBe(start + 30 * DAY);
    expect(Math.max(...clock.armedDelays)).toBeLessThanOrEqual(MAX_TIMER_MS);
    expect(clock.armedDelays.length).toBeGreaterThan(1);
  });

  it('re-arming a key replaces its deadline; cancel and cancelAll stop it', () => {
    const clock = new FakeClock();
    const d = new Deadlines(clock);
    const fired: string[] = [];
    d.after('x', 100, () => fired.push('x1'));
    d.after('x', 300, () => fired.push('x2'));
    d.after('timeout:1', 100, () => fired.push('t1'));
    d.after('timeout:2', 100, () => fired.push('t2'));
    d.after('queue:1', 100, () => fired.push('q1'));
    d.cancel('queue:1');
    d.cancelAll('timeout:');
    clock.advance(1000);
    expect(fired).toEqual(['x2']);
    expect(clock.pending).toBe(0);
  });

  it('a due time in the past fires at once', () => {
    const clock = new FakeClock();
    const d = new Deadlines(clock);
    let fired = false;
    d.at('p', clock.now() - 5, () => (fired = true));
    expect(fired).toBe(true);
  });
});
