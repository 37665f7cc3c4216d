// Small pieces every checker shares: how a timeout and an error read in a detail, and a bound on
// the time a check may take, so that run() always resolves about when it promised to.

import type { CheckResult } from '../check.js';

/** A detail never grows past this: it is one line in `status`. */
export const DETAIL_CHARS = 200;

/** "1s", "1.5s", "250ms": how a probe timeout is shown in a detail. */
export function formatTimeout(ms: number): string {
  return ms >= 1000 && ms % 100 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

export const timedOut = (ms: number): CheckResult => ({ ok: false, detail: `timed out after ${formatTimeout(ms)}` });

/** One line of at most DETAIL_CHARS characters (control characters would garble a table). */
export function clip(text: string): string {
  const line = text.replace(/[\x00-\x1f\x7f]+/g, ' ').trim();
  return line.length > DETAIL_CHARS ? `${line.slice(0, DETAIL_CHARS - 1)}…` : line;
}

/**
 * An error's code for a detail: ECONNREFUSED and friends when Node gives one (also inside the
 * AggregateError that happy-eyeballs connects raise when every address failed), else its message.
 */
export function errorCode(err: unknown): string {
  const e = err as { code?: unknown; errors?: unknown; message?: unknown } | null;
  if (e && typeof e.code === 'string') return e.code;
  if (e && Array.isArray(e.errors)) {
    const inner = (e.errors as unknown[]).map(errorCode).find((c) => /^E[A-Z]+$/.test(c));
    if (inner) return inner;
  }
  return clip(e && typeof e.message === 'string' ? e.message : String(err));
}

/**
 * Resolves with work's result, or with onTimeout() once timeoutMs has passed; a rejection becomes
 * a failed check. The timer is cleared either way so nothing keeps the event loop busy.
 */
export function bounded(work: Promise<CheckResult>, timeoutMs: number, onTimeout: () => CheckResult = () => timedOut(timeoutMs)): Promise<CheckResult> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (r: CheckResult): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(r);
    };
    const timer = setTimeout(() => finish(onTimeout()), Math.max(0, timeoutMs));
    work.then(finish, (err: unknown) => finish({ ok: false, detail: clip(`check failed: ${errorCode(err)}`) }));
  });
}
