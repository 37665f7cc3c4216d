// Two clicks for kill and restart (confirm.ts), on a fake clock: the first press arms, a second
// press on the same control within the window confirms, the window's end, disarm() (Escape, a
// click elsewhere) or arming another control disarms; one control is armed at a time.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CONFIRM_WINDOW_MS, DESTRUCTIVE, makeConfirmer } from '../../../client/dashboard/assets/confirm.js';

let shown: string[];
const confirmer = () => makeConfirmer<string>((target, armed) => void shown.push(`${target}:${armed ? 'armed' : 'normal'}`));

beforeEach(() => {
  vi.useFakeTimers();
  shown = [];
});
afterEach(() => vi.useRealTimers());

describe('makeConfirmer', () => {
  it('kill and restart ask twice; pause, resume and logs do not', () => {
    expect([...DESTRUCTIVE].sort()).toEqual(['kill', 'restart']);
    expect(CONFIRM_WINDOW_MS).toBe(4000);
  });

  it('arms on the first press and confirms on the second within the window', () => {
    const c = confirmer();
    expect(c.press('kill-7')).toBe('armed');
    expect(c.armed()).toBe('kill-7');
    vi.advanceTimersByTime(CONFIRM_WINDOW_MS - 1);
    expect(c.press('kill-7')).toBe('confirmed');
    expect(c.armed()).toBeNull();
    expect(shown).toEqual(['kill-7:armed', 'kill-7:normal']);
    // Disarmed on confirming: the window's timer shows nothing more.
    vi.advanceTimersByTime(CONFIRM_WINDOW_MS);
    expect(shown).toHaveLength(2);
  });

  it('disarms by itself when the window ends; the next press arms again', () => {
    const c = confirmer();
    c.press('kill-7');
    vi.advanceTimersByTime(CONFIRM_WINDOW_MS);
    expect(c.armed()).toBeNull();
    expect(shown).toEqual(['kill-7:armed', 'kill-7:normal']);
    expect(c.press('kill-7')).toBe('armed');
  });

  it('disarm() (Escape, a click elsewhere) and arming another control disarm', () => {
    const c = confirmer();
    c.press('kill-7');
    c.disarm();
    c.disarm();
    expect(c.press('restart-7')).toBe('armed');
    expect(c.press('kill-8')).toBe('armed');
    expect(c.armed()).toBe('kill-8');
    expect(c.press('restart-7')).toBe('armed');
    expect(shown).toEqual(['kill-7:armed', 'kill-7:normal', 'restart-7:armed', 'restart-7:normal', 'kill-8:armed', 'kill-8:normal', 'restart-7:armed']);
    // Only the last armed control's window is running.
    vi.advanceTimersByTime(CONFIRM_WINDOW_MS);
    expect(shown.at(-1)).toBe('restart-7:normal');
    expect(shown).toHaveLength(8);
  });
});
