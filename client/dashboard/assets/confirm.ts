// Two clicks for a destructive action (kill, restart), without a modal: the first click arms the
// button (it says so), a second click on it within CONFIRM_WINDOW_MS acts; the wait, Escape, a
// click elsewhere or arming another button disarms it. One button is armed at a time. No DOM here
// (the caller shows the state), and the timers can be a fake clock's, so unit tests drive it.

export const CONFIRM_WINDOW_MS = 4000;

/** The verbs that ask for a second click. Pause and resume undo each other: one click. */
export const DESTRUCTIVE: ReadonlySet<string> = new Set(['kill', 'restart']);

export interface ConfirmTimers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export interface Confirmer<T> {
  /** A click on a destructive control: 'armed' the first time, 'confirmed' when it was armed (it is disarmed then). */
  press(target: T): 'armed' | 'confirmed';
  /** Escape, a click elsewhere, the control gone: back to normal (nothing when none is armed). */
  disarm(): void;
  armed(): T | null;
}

const browserTimers: ConfirmTimers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** `show(target, armed)` draws a control's state each time it changes. */
export function makeConfirmer<T>(show: (target: T, armed: boolean) => void, windowMs = CONFIRM_WINDOW_MS, timers: ConfirmTimers = browserTimers): Confirmer<T> {
  let current: T | null = null;
  let timer: unknown = null;

  const disarm = (): void => {
    if (current === null) return;
    const was = current;
    current = null;
    timers.clear(timer);
    timer = null;
    show(was, false);
  };

  return {
    press(target) {
      if (current === target) {
        disarm();
        return 'confirmed';
      }
      disarm();
      current = target;
      timer = timers.set(disarm, windowMs);
      show(target, true);
      return 'armed';
    },
    disarm,
    armed: () => current,
  };
}
