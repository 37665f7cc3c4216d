// The library's event iterator and what a reconnecting client does when its connection drops,
// without a daemon: a fake source feeds events and closes.

import { describe, expect, it } from 'vitest';
import { afterDisconnect } from '../../../client/client-core.js';
import { eventIterator, MAX_QUEUED_EVENTS, type EventSource } from '../../../client/event-iterator.js';
import type { ProcdEvent } from '../../../shared/events.js';

function fakeSource() {
  const events = new Set<(e: ProcdEvent) => void>();
  const closes = new Set<(err: Error | null) => void>();
  const source: EventSource = {
    onEvent: (l) => (events.add(l), () => void events.delete(l)),
    onClose: (l) => (closes.add(l), () => void closes.delete(l)),
  };
  return {
    source,
    emit: (seq: number) => [...events].forEach((l) => l({ seq, at: 0, kind: 'daemon.shutdown', keepJobs: true })),
    close: (err: Error | null = null) => [...closes].forEach((l) => l(err)),
    listeners: () => events.size + closes.size,
  };
}

describe('eventIterator', () => {
  it('yields what arrived since it was created, in order, and ends after the rest once the client closes', async () => {
    const f = fakeSource();
    const it = eventIterator(f.source, Promise.resolve());
    f.emit(1);
    f.emit(2);
    const got: number[] = [];
    const loop = (async () => {
      for await (const e of it) got.push(e.seq);
    })();
    await new Promise((r) => setImmediate(r));
    f.emit(3);
    f.close();
    await loop;
    expect(got).toEqual([1, 2, 3]);
    expect(f.listeners()).toBe(0);
  });

  it('a break removes its listeners; a failed subscribe and a close with an error are thrown', async () => {
    const f = fakeSource();
    const it = eventIterator(f.source, Promise.resolve());
    f.emit(1);
    for await (const e of it) {
      expect(e.seq).toBe(1);
      break;
    }
    expect(f.listeners()).toBe(0);
    f.emit(1); // nothing listens

    const refused = eventIterator(fakeSource().source, Promise.reject(new Error('no such job')));
    await expect(refused.next()).rejects.toThrow('no such job');

    const g = fakeSource();
    const dropped = eventIterator(g.source, Promise.resolve());
    g.close(new Error('gave up reconnecting'));
    await expect(dropped.next()).rejects.toThrow('gave up reconnecting');
    await expect(dropped.next()).resolves.toEqual({ value: undefined, done: true });
  });

  it('fails instead of growing without bound when the consumer falls too far behind', async () => {
    const f = fakeSource();
    const it = eventIterator(f.source, Promise.resolve());
    for (let i = 1; i <= MAX_QUEUED_EVENTS + 1; i++) f.emit(i);
    let count = 0;
    await expect(
      (async () => {
        for await (const _ of it) count++;
      })(),
    ).rejects.toThrow(/fell \d+ events behind/);
    expect(count).toBe(MAX_QUEUED_EVENTS);
  });
});

describe('afterDisconnect', () => {
  it('closes without reconnect, waits for the next call without a subscription, resumes one unless the daemon stops its jobs', () => {
    expect(afterDisconnect(false, { daemonStopping: false })).toBe('close');
    expect(afterDisconnect(true, null)).toBe('idle');
    expect(afterDisconnect(true, { daemonStopping: false })).toBe('resume');
    expect(afterDisconnect(true, { daemonStopping: true })).toBe('close');
  });
});
