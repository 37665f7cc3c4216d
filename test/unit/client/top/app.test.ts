// The acting layer with a fake daemon and a fake screen, on a fake clock: one list, a subscription
// with samples; a burst of events is drawn as at most one frame per 100 ms (≤ 10 fps); a job seen
// first in an event is read once with status; keys reach the daemon (kill after y); q ends it.

import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ProcdEvent } from '../../../../shared/events.js';
import type { ProcdClient } from '../../../../client/index.js';
import { TopApp } from '../../../../client/cli/top/app.js';
import { INITIAL_UI } from '../../../../client/cli/top/keys.js';
import { NOW, running } from './fixtures.js';

function fakeDaemon() {
  const listeners: ((e: ProcdEvent) => void)[] = [];
  const closers: ((err: Error | null) => void)[] = [];
  const calls: string[] = [];
  const jobs = [running(1, 'web', 1, 1 << 20, 1000)];
  const client = {
    onEvent: (l: (e: ProcdEvent) => void) => (listeners.push(l), () => undefined),
    onClose: (l: (err: Error | null) => void) => (closers.push(l), () => undefined),
    subscribe: async (p: unknown) => (calls.push(`subscribe ${JSON.stringify(p)}`), { subscribed: true, seq: 5 }),
    list: async () => (calls.push('list'), jobs),
    daemonStatus: async () => ({ pid: 42, version: '0.1.0', uptimeMs: 1000 }),
    status: async ({ job }: { job: number }) => (calls.push(`status ${job}`), running(job, `job${job}`, 0, 0, 0)),
    kill: async ({ jobs: ids }: { jobs: number[] }) => (calls.push(`kill ${ids.join()}`), [{ ok: true, id: ids[0] }]),
    close: () => calls.push('close'),
  };
  const emit = (e: ProcdEvent) => listeners.forEach((l) => l(e));
  /** The daemon stopped for good: the client gives up (as ClientCore does after daemon.stop). */
  const stop = () => closers.forEach((l) => l(null));
  return { client: client as unknown as ProcdClient, calls, emit, stop };
}

function fakeScreen() {
  const frames: string[][] = [];
  return { frames, width: 100, height: 20, draw: (lines: readonly string[]) => void frames.push([...lines]), invalidate: () => undefined };
}

beforeEach(() => {
  vi.useFakeTimers({ now: NOW });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('TopApp', () => {
  it('lists once, subscribes with samples, draws a burst of events as one frame per 100 ms, acts on keys', async () => {
    const daemon = fakeDaemon();
    const screen = fakeScreen();
    const input = new EventEmitter();
    const app = new TopApp(screen, { color: false, ui: INITIAL_UI, connect: async () => daemon.client });
    const done = app.run(input, new EventEmitter());
    await vi.advanceTimersByTimeAsync(150);
    expect(daemon.calls.slice(0, 2)).toEqual(['subscribe {"samples":true}', 'list']);
    expect(screen.frames.at(-1)!.join('\n')).toMatch(/> +1 web +running/);

    // 100 samples within 50 ms: at most one frame for them.
    const before = screen.frames.length;
    for (let i = 0; i < 100; i++) {
      daemon.emit({ seq: 6 + i, at: NOW, kind: 'sample', job: { id: 1, name: 'web', tags: [], state: 'running' }, sample: { at: NOW, cpuPercent: i, rssBytes: 1 << 20, mainRssBytes: 1, processes: 1, threads: 1, fds: 1, states: {} } });
      await vi.advanceTimersByTimeAsync(0.5);
    }
    await vi.advanceTimersByTimeAsync(100);
    expect(screen.frames.length - before).toBeLessThanOrEqual(2);
    expect(screen.frames.at(-1)!.join('\n')).toContain('99%');

    // A job first seen in an event is read once (status) and shown.
    daemon.emit({ seq: 200, at: NOW, kind: 'job.started', job: { id: 7, name: 'job7', tags: [], state: 'running' }, pid: 9 });
    await vi.advanceTimersByTimeAsync(200);
    expect(daemon.calls.filter((c) => c === 'status 7')).toHaveLength(1);
    expect(screen.frames.at(-1)!.join('\n')).toMatch(/ 7 job7 /);

    // k asks, y kills the selected job; q ends the app and closes the connection.
    input.emit('data', 'k');
    await vi.advanceTimersByTimeAsync(150);
    expect(screen.frames.at(-1)![1]).toBe('kill job 1 (web)? (y/n)');
    expect(daemon.calls.some((c) => c.startsWith('kill'))).toBe(false);
    input.emit('data', 'y');
    await vi.advanceTimersByTimeAsync(150);
    expect(daemon.calls).toContain('kill 1');
    input.emit('data', 'q');
    await expect(done).resolves.toBe(0);
    expect(daemon.calls.at(-1)).toBe('close');
  });

  it('after the daemon stopped: connects again without starting one, resumes after the last event seen and reads the jobs again', async () => {
    const daemons = [fakeDaemon(), fakeDaemon()];
    const firsts: boolean[] = [];
    const screen = fakeScreen();
    const app = new TopApp(screen, { color: false, ui: INITIAL_UI, connect: async (first) => (firsts.push(first), daemons[firsts.length - 1]!.client) });
    const input = new EventEmitter();
    const done = app.run(input, new EventEmitter());
    await vi.advanceTimersByTimeAsync(150);
    daemons[0]!.emit({ seq: 17, at: NOW, kind: 'daemon.shutdown', keepJobs: false });
    daemons[0]!.stop();
    await vi.advanceTimersByTimeAsync(150);
    expect(screen.frames.at(-1)![0]).toContain('the daemon stopped; waiting for it to come back');
    await vi.advanceTimersByTimeAsync(2500);
    expect(firsts).toEqual([true, false]);
    expect(daemons[1]!.calls.slice(0, 2)).toEqual(['subscribe {"samples":true,"afterSeq":17}', 'list']);
    expect(screen.frames.at(-1)![0]).toContain('daemon pid 42');
    input.emit('data', 'q');
    await expect(done).resolves.toBe(0);
  });
});
