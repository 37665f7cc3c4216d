// Time as a dependency: the supervisor's modules read the time and arm timers through a Clock,
// so tests drive them with a fake one instead of waiting.

export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  now(): number;
  /** Calls `fn` after `ms` (at most MAX_TIMER_MS; Deadlines splits longer waits). */
  setTimer(fn: () => void, ms: number): TimerHandle;
}

/** The largest delay Node's timers take: beyond it they fire after 1 ms instead. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(fn, ms) {
    const timer = setTimeout(fn, Math.min(Math.max(0, ms), MAX_TIMER_MS));
    timer.unref();
    return { cancel: () => clearTimeout(timer) };
  },
};
