// Re-reading one API answer on news, cheaply: many calls to schedule() in a burst make one read,
// `delayMs` after the first of them and at least `minGapMs` after the read before; never two
// reads at once (news during a read makes one more read after it), so answers cannot arrive out
// of order. No DOM: unit tests drive it with fake timers.

export interface RefresherTiming {
  /** Wait this long after news before reading (news in the meantime joins the same read). */
  delayMs: number;
  /** At least this long between the starts of two reads. */
  minGapMs: number;
}

export interface Refresher {
  /** There is news: read again soon. */
  schedule(): void;
  /** Read as soon as no read is running (after an action the user waits for). */
  now(): void;
}

export function makeRefresher(read: () => Promise<unknown>, timing: RefresherTiming, clock: () => number = Date.now): Refresher {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let running = false;
  let again = false;
  let last = -Infinity;

  const run = (): void => {
    timer = null;
    if (running) {
      again = true;
      return;
    }
    running = true;
    last = clock();
    read()
      .catch(() => undefined)
      .finally(() => {
        running = false;
        if (again) {
          again = false;
          arm(0);
        }
      });
  };
  const arm = (delay: number): void => {
    if (timer) return;
    timer = setTimeout(run, Math.max(delay, last + timing.minGapMs - clock()));
  };
  return {
    schedule: () => (running ? void (again = true) : arm(timing.delayMs)),
    now: () => {
      if (running) return void (again = true);
      if (timer) clearTimeout(timer);
      timer = null;
      run();
    },
  };
}
