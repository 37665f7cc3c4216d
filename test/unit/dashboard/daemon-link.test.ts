// The dashboard's API connection (client/dashboard/daemon-link.ts): with the daemon gone a call
// answers 503 DaemonNotRunning and the next one connects afresh (never autostarting: the
// reconnect function is the only way in), and a call on a connection closed under it goes once more.

import { describe, expect, it } from 'vitest';
import type { ProcdClient } from '../../../client/index.js';
import { DaemonLink } from '../../../client/dashboard/daemon-link.js';
import { HttpError } from '../../../client/dashboard/http-error.js';
import { ErrorCode, ProcdError } from '../../../shared/errors.js';

type Answer = () => Promise<unknown>;

/** A client whose calls answer what `answers` gives, in turn. */
function fakeClient(answers: Answer[]): ProcdClient & { closed: boolean } {
  const c = {
    closed: false,
    daemon: { daemonVersion: '9.9.9' },
    call: () => answers.shift()!(),
    onClose: () => () => undefined,
    close() {
      c.closed = true;
    },
  };
  return c as unknown as ProcdClient & { closed: boolean };
}

const gone = () => Promise.reject(new ProcdError(ErrorCode.DaemonUnavailable, 'dropped', { disconnected: true }));
const notRunning = () => Promise.reject(new ProcdError(ErrorCode.DaemonUnavailable, 'not running', { notRunning: true }));

describe('DaemonLink', () => {
  it('answers 503 DaemonNotRunning when the daemon is gone, and connects afresh once it is back', async () => {
    const first = fakeClient([() => Promise.resolve(['a']), gone]);
    const second = fakeClient([() => Promise.resolve(['b'])]);
    const connects: Array<() => Promise<ProcdClient>> = [notRunning as () => Promise<ProcdClient>, () => Promise.resolve(second)];
    const link = new DaemonLink(first, () => connects.shift()!());
    expect(await link.call('list', {})).toEqual(['a']);
    const down = await link.call('list', {}).catch((e: unknown) => e);
    expect(down).toBeInstanceOf(HttpError);
    expect(down).toMatchObject({ status: 503, code: 'DaemonNotRunning' });
    expect(first.closed).toBe(true);
    // Still down: the connect fails at once, the same answer.
    await expect(link.call('list', {})).rejects.toMatchObject({ status: 503, code: 'DaemonNotRunning' });
    expect(await link.call('list', {})).toEqual(['b']);
    expect(link.daemonVersion).toBe('9.9.9');
  });

  it('sends a call again, once, when its connection was closed under it', async () => {
    const closed = () => Promise.reject(new ProcdError(ErrorCode.DaemonUnavailable, 'the client was closed', { closed: true }));
    const first = fakeClient([closed]);
    const link = new DaemonLink(first, () => Promise.resolve(fakeClient([() => Promise.resolve('ok')])));
    expect(await link.call('stats', {})).toBe('ok');
  });

  it('passes other errors through', async () => {
    const link = new DaemonLink(fakeClient([() => Promise.reject(new ProcdError(ErrorCode.JobNotFound, 'no job 9', {}))]), notRunning as () => Promise<ProcdClient>);
    await expect(link.call('status', { job: 9 })).rejects.toMatchObject({ code: ErrorCode.JobNotFound });
  });
});
