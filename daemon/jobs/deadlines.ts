// One deadline service for the supervisor (timeouts, waits, queued jobs' start times): keyed,
// re-armable, cancellable, and correct for delays beyond Node's 2^31−1 ms timer limit (a 30-day
// timeout used to fire after ~43 ms), which it covers by re-arming until the due time is reached.

import { MAX_TIMER_MS, systemClock, type Clock, type TimerHandle } from './clock.js';

export class Deadlines {
  private readonly armed = new Map<string, TimerHandle>();

  constructor(private readonly clock: Clock = systemClock) {}

  now(): number {
    return this.clock.now();
  }

  /** Calls `fn` once at `dueAt` (epoch ms; at once if past). Re-arming a key replaces its deadline. */
  at(key: string, dueAt: number, fn: () => void): void {
    this.cancel(key);
    const arm = () => {
      const left = dueAt - this.clock.now();
      if (left <= 0) {
        this.armed.delete(key);
        fn();
        return;
      }
      // A long wait is a chain of timers each within the limit; the clock is read again each time.
      this.armed.set(key, this.clock.setTimer(arm, Math.min(left, MAX_TIMER_MS)));
    };
    arm();
  }

  /** Like at(), `ms` from now. */
  after(key: string, ms: number, fn: () => void): void {
    this.at(key, this.clock.now() + ms, fn);
  }

  cancel(key: string): void {
    this.armed.get(key)?.cancel();
    this.armed.delete(key);
  }

  has(key: string): boolean {
    return this.armed.has(key);
  }

  cancelAll(prefix = ''): void {
    for (const key of [...this.armed.keys()]) if (key.startsWith(prefix)) this.cancel(key);
  }
}
