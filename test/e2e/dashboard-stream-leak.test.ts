// Event streams whose client leaves while the dashboard is still connecting to the daemon: every
// such stream's daemon connection must close (none kept for ever, none outside the stream limit),
// and the dashboard must still stop on SIGTERM. Found by review: 100 aborted requests left 99
// daemon connections open for good.

import { connect as netConnect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProcdClient } from '../../client/index.js';
import { startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { openSse, startDashboard, stopAllDashboards, type Dashboard } from './helpers/dashboard.js';
import { waitFor } from '../helpers/wait-for.js';

let d: TestDaemon;
let dash: Dashboard;
let probe: ProcdClient;

beforeAll(async () => {
  d = await startTestDaemon();
  dash = await startDashboard(d);
  probe = await d.client();
}, 60_000);

afterAll(async () => {
  await dash?.stop();
  await stopAllDashboards();
  await d?.cleanup();
});

const connections = async () => (await probe.call('daemon.status')).connections;
const subscribers = async () => (await probe.call('daemon.status')).events.subscribers;

/** A raw `GET /api/events` whose socket is destroyed on the next tick, before the stream can answer. */
function abortedStream(port: number, token: string): Promise<void> {
  return new Promise((resolve) => {
    const socket = netConnect(port, '127.0.0.1', () => {
      socket.write(`GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${token}\r\nAccept: text/event-stream\r\n\r\n`);
      setImmediate(() => socket.destroy());
    });
    socket.on('close', () => resolve());
    socket.on('error', () => resolve());
  });
}

describe('event streams aborted while connecting', () => {
  it('close their daemon connections (back to the baseline), and the dashboard still stops on SIGTERM', async () => {
    // The dashboard's own API connection is there before the baseline.
    const baseline = await connections();
    const baseSubscribers = await subscribers();
    await Promise.all(Array.from({ length: 100 }, () => abortedStream(dash.port, dash.token)));
    await waitFor(async () => (await connections()) === baseline && (await subscribers()) === baseSubscribers, {
      what: `the daemon's connections back to ${baseline} and subscribers to ${baseSubscribers} after 100 aborted streams`,
      timeoutMs: 30_000,
    }).catch(async (err: unknown) => {
      throw new Error(`${(err as Error).message}: now ${await connections()} connections, ${await subscribers()} subscribers`);
    });
    // A normal stream still works afterwards.
    const s = await openSse(`${dash.base}/api/events`, { Authorization: `Bearer ${dash.token}` });
    expect(s.status).toBe(200);
    await waitFor(() => s.frames.find((f) => f.event === 'ready'), { what: 'the ready event' });
    s.close();
    const exit = await dash.stop();
    expect(exit.signal, 'the dashboard did not stop on SIGTERM (killed after 10 s)').not.toBe('SIGKILL');
    expect(exit.code).toBe(0);
  }, 90_000);
});
