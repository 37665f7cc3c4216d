import { describe, expect, it } from 'vitest';
import type { ProcdClient } from '../../../client/index.js';
import { callWithReconnect, isDaemonGone, type ClientSource } from '../../../client/reconnect.js';
import { ErrorCode, ProcdError } from '../../../shared/errors.js';

const dropped = () => new ProcdError(ErrorCode.DaemonUnavailable, 'the daemon closed the connection', { disconnected: true });
const notRunning = () => new ProcdError(ErrorCode.DaemonUnavailable, 'the procd daemon is not running', { notRunning: true });

/** A source whose connections are numbered; `reconnects` fail with the given errors first. */
function source(reconnectErrors: ProcdError[] = []) {
  let n = 0;
  const log: string[] = [];
  const make = () => ({ n: ++n }) as unknown as ProcdClient;
  const s: ClientSource & { log: string[] } = {
    log,
    client: async () => {
      log.push('client');
      return make();
    },
    reconnect: async () => {
      log.push('reconnect');
      const err = reconnectErrors.shift();
      if (err) throw err;
      return make();
    },
  };
  return s;
}

const connNo = (c: object) => (c as { n: number }).n;
const sleeps: number[] = [];
const sleep = async (ms: number) => void sleeps.push(ms);

describe('callWithReconnect', () => {
  it('repeats the call on a new connection when the daemon goes away, with growing delays', async () => {
    sleeps.length = 0;
    const src = source([notRunning(), notRunning()]);
    const seen: number[] = [];
    const result = await callWithReconnect(
      src,
      async (c) => {
        seen.push(connNo(c));
        if (seen.length === 1) throw dropped();
        return 'done';
      },
      { sleep },
    );
    expect(result).toBe('done');
    expect(seen).toEqual([1, 2]);
    expect(src.log).toEqual(['client', 'reconnect', 'reconnect', 'reconnect']);
    expect(sleeps).toEqual([100, 200, 400]);
  });

  it('does not retry other errors', async () => {
    const src = source();
    const notFound = new ProcdError(ErrorCode.JobNotFound, 'no job 9');
    await expect(callWithReconnect(src, async () => Promise.reject(notFound), { sleep })).rejects.toBe(notFound);
    expect(src.log).toEqual(['client']);
    const timeout = new ProcdError(ErrorCode.Timeout, 'no answer');
    await expect(callWithReconnect(source(), async () => Promise.reject(timeout), { sleep })).rejects.toBe(timeout);
  });

  it('gives up after the bounded number of attempts with the last error', async () => {
    sleeps.length = 0;
    const last = notRunning();
    const src = source([notRunning(), notRunning(), last]);
    await expect(callWithReconnect(src, async () => Promise.reject(dropped()), { attempts: 3, sleep })).rejects.toBe(last);
    expect(sleeps).toEqual([100, 200, 400]);
  });

  it('caps the delay', async () => {
    sleeps.length = 0;
    const src = source(Array.from({ length: 6 }, notRunning));
    await callWithReconnect(src, async (c) => (connNo(c) === 1 ? Promise.reject(dropped()) : 'ok'), { sleep, maxDelayMs: 500 });
    expect(sleeps).toEqual([100, 200, 400, 500, 500, 500, 500]);
  });

  it('a call that ran for a while before dropping starts the failure count over', async () => {
    let calls = 0;
    const src = source();
    const r = await callWithReconnect(
      src,
      async () => {
        calls++;
        if (calls <= 5) throw dropped();
        return calls;
      },
      { attempts: 2, stableMs: 0, sleep },
    );
    expect(r).toBe(6);
  });

  it('knows which errors mean the daemon is (for now) gone', () => {
    expect(isDaemonGone(dropped())).toBe(true);
    expect(isDaemonGone(notRunning())).toBe(true);
    expect(isDaemonGone(new ProcdError(ErrorCode.ShuttingDown, 'stopping'))).toBe(true);
    expect(isDaemonGone(new ProcdError(ErrorCode.DaemonUnavailable, 'permission denied', { permissionDenied: true }))).toBe(false);
    expect(isDaemonGone(new Error('x'))).toBe(false);
  });
});
