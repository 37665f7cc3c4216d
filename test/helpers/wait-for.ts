// The one poll helper for tests: checks a condition until it holds or a deadline passes, and
// then fails with what it was waiting for and the last value seen. Use it instead of a sleep
// whenever the thing awaited can be observed; an event or a promise is better still.

import { setTimeout as delay } from 'node:timers/promises';

export interface WaitOptions {
  /** What is awaited, for the failure message ("job 3 to end"). */
  what: string;
  /** Give up after this long (default 20 s: generous on a busy 2-core machine). */
  timeoutMs?: number;
  /** Pause between checks (default 20 ms). */
  everyMs?: number;
}

/** What a check returns once it holds: any value but null, undefined, false, 0 or ''. */
export type Truthy<T> = Exclude<T, null | undefined | false | 0 | ''>;

/** Calls `check` until it returns a truthy value, which it resolves with; a throw from `check` fails at once. */
export async function waitFor<T>(check: () => T | Promise<T>, opts: WaitOptions): Promise<Truthy<T>> {
  const { what, timeoutMs = 20_000, everyMs = 20 } = opts;
  const deadline = Date.now() + timeoutMs;
  let checks = 0;
  for (;;) {
    const value = await check();
    checks++;
    if (value) return value as Truthy<T>;
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (${checks} checks, last value: ${show(value)})`);
    await delay(Math.min(everyMs, left));
  }
}

function show(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
