// Calls that outlive a daemon restart. `wait`, `track --wait` and `logs --follow` block for as long
// as a job runs, and meanwhile the daemon may be restarted (`procd daemon restart`) or crash and be
// autostarted: jobs keep running and the new daemon re-adopts them, so the caller only has to make
// the same (idempotent) call again on a new connection.

import { setTimeout as delay } from 'node:timers/promises';
import { ErrorCode, ProcdError } from '../shared/errors.js';
import type { IdempotentCalls, ProcdClient } from './index.js';

/** Where connections come from: the current one, or a new one after the old one dropped. */
export interface ClientSource {
  client(): Promise<ProcdClient>;
  /** Closes the current connection and opens another (autostarting the daemon when allowed). */
  reconnect(): Promise<ProcdClient>;
}

export interface RetryOptions {
  /** Consecutive failed attempts before giving up with the last error (default 10: ~13 s of backoff). */
  attempts?: number;
  firstDelayMs?: number;
  maxDelayMs?: number;
  /** A call that ran this long before its connection dropped was working: the failure count starts over. */
  stableMs?: number;
  /** Injected by tests. */
  sleep?: (ms: number) => Promise<unknown>;
}

/** True when the error says no daemon answers right now — one may answer again soon. */
export function isDaemonGone(err: unknown): boolean {
  if (!(err instanceof ProcdError)) return false;
  if (err.code === ErrorCode.ShuttingDown) return true;
  return err.code === ErrorCode.DaemonUnavailable && (err.data.disconnected === true || err.data.notRunning === true);
}

/**
 * Runs `op` on a connection; when the daemon goes away under it, reconnects with backoff and runs
 * it again. `op` sees only the methods the table marks idempotent (wait, status, logs from a
 * cursor, ...): calling `track` in it is a compile error.
 */
export function callWithReconnect<T>(source: ClientSource, op: (c: IdempotentCalls) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  return retryAcrossReconnects(source, op, options);
}

/** Where a retried operation gets its connection (any kind: a client, or the library's sessions). */
export interface ConnectionSource<C> {
  client(): Promise<C>;
  reconnect(): Promise<C>;
}

/** callWithReconnect for any connection type: the caller guarantees `op` is safe to run again. */
export async function retryAcrossReconnects<C, T>(source: ConnectionSource<C>, op: (c: C) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const { attempts = 10, firstDelayMs = 100, maxDelayMs = 2000, stableMs = 1000, sleep = delay } = options;
  let failures = 0;
  let c = await source.client();
  for (;;) {
    const startedAt = Date.now();
    try {
      return await op(c);
    } catch (err) {
      if (!isDaemonGone(err)) throw err;
      if (Date.now() - startedAt >= stableMs) failures = 0;
      let last: unknown = err;
      for (;;) {
        if (++failures > attempts) throw last;
        await sleep(Math.min(maxDelayMs, firstDelayMs * 2 ** (failures - 1)));
        try {
          c = await source.reconnect();
          break;
        } catch (again) {
          if (!isDaemonGone(again)) throw again;
          last = again;
        }
      }
    }
  }
}
