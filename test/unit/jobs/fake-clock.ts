// A clock for unit tests: time moves only when the test says so, and due timers fire in order.

import type { Clock, TimerHandle } from '../../../daemon/jobs/clock.js';
import { MAX_TIMER_MS } from '../../../daemon/jobs/clock.js';

export class FakeClock implements Clock {
  private timers: { due: number; fn: () => void; seq: number }[] = [];
  private seq = 0;
  /** Every delay a timer was armed with: a test can check none exceeded Node's limit. */
  readonly armedDelays: number[] = [];

  constructor(private time = 1_000_000) {}

  now(): number {
    return this.time;
  }

  setTimer(fn: () => void, ms: number): TimerHandle {
    if (ms > MAX_TIMER_MS) throw new Error(`timer of ${ms} ms exceeds Node's limit`);
    this.armedDelays.push(ms);
    const timer = { due: this.time + Math.max(0, ms), fn, seq: this.seq++ };
    this.timers.push(timer);
    return { cancel: () => (this.timers = this.timers.filter((t) => t !== timer)) };
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way, in order. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const next = this.timers.filter((t) => t.due <= end).sort((a, b) => a.due - b.due || a.seq - b.seq)[0];
      if (!next) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.time = Math.max(this.time, next.due);
      next.fn();
    }
    this.time = end;
  }

  get pending(): number {
    return this.timers.length;
  }
}
