// The socket protocol under bad input and load: the daemon keeps serving and answers correctly.

import { connect as netConnect, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../shared/errors.js';
import { MAX_FRAME_BYTES } from '../../shared/framing.js';
import { connect } from '../../client/index.js';
import { processGone, startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { waitFor } from '../helpers/wait-for.js';

let d: TestDaemon;
beforeEach(async () => {
  d = await startTestDaemon();
});
afterEach(async () => {
  await d?.cleanup();
});

/** A raw line-oriented socket client for sending what the library never would. */
async function raw(path: string): Promise<{ socket: Socket; send(text: string): void; next(): Promise<unknown>; closed: Promise<void> }> {
  const socket = netConnect(path);
  await new Promise((r) => socket.once('connect', r));
  let buffer = '';
  const waiting: ((v: unknown) => void)[] = [];
  const ready: unknown[] = [];
  socket.on('data', (b: Buffer) => {
    buffer += b.toString();
    let nl;
    while ((nl = buffer.indexOf('\n')) !== -1) {
      const msg = JSON.parse(buffer.slice(0, nl)) as unknown;
      buffer = buffer.slice(nl + 1);
      const w = waiting.shift();
      if (w) w(msg);
      else ready.push(msg);
    }
  });
  const closed = new Promise<void>((r) => socket.once('close', () => r()));
  return {
    socket,
    closed,
    send: (text) => void socket.write(text),
    next: () => (ready.length ? Promise.resolve(ready.shift()) : new Promise((r) => waiting.push(r))),
  };
}

describe('protocol', () => {
  it('answers malformed JSON with -32700 and keeps the connection usable', async () => {
    const c = await raw(d.paths.socket);
    c.send('{"jsonrpc": "2.0", "id": 1, "method": \n');
    expect(await c.next()).toMatchObject({ id: null, error: { code: ErrorCode.ParseError } });
    c.send('{"jsonrpc":"2.0","id":2,"method":"hello"}\n');
    expect(await c.next()).toMatchObject({ id: 2, result: { protocolVersion: 1, pid: expect.any(Number) } });
    c.socket.destroy();
  });

  it('closes only the offending connection on an over-size frame', async () => {
    const other = await raw(d.paths.socket);
    const c = await raw(d.paths.socket);
    c.send(`{"jsonrpc":"2.0","id":1,"method":"hello","params":{"client":"${'x'.repeat(MAX_FRAME_BYTES + 10)}"}}\n`);
    expect(await c.next()).toMatchObject({ error: { code: ErrorCode.FrameTooLarge, data: { limit: MAX_FRAME_BYTES } } });
    await c.closed;
    other.send('{"jsonrpc":"2.0","id":7,"method":"daemon.status"}\n');
    expect(await other.next()).toMatchObject({ id: 7, result: { pid: expect.any(Number) } });
    other.socket.destroy();
  });

  it('a connection closed for an over-size frame leaves no subscription behind', async () => {
    const client = await d.client();
    for (let i = 0; i < 3; i++) {
      const c = await raw(d.paths.socket);
      c.send(`{"jsonrpc":"2.0","id":1,"method":"subscribe","params":{}}\n`);
      expect(await c.next()).toMatchObject({ id: 1, result: { subscribed: true } });
      c.send(`${'x'.repeat(MAX_FRAME_BYTES + 10)}\n`);
      expect(await c.next()).toMatchObject({ error: { code: ErrorCode.FrameTooLarge } });
      await c.closed;
    }
    await waitFor(async () => (await client.daemonStatus()).events.subscribers === 0, { what: 'the subscriptions to be gone' });
  });

  it('refuses what execve would refuse, naming the field: an env name with "=", an empty command, a name that reads as an id', async () => {
    const c = await raw(d.paths.socket);
    c.send('{"jsonrpc":"2.0","id":1,"method":"track","params":{"argv":["true"],"cwd":"/","env":{"A=B":"1"}}}\n');
    expect(await c.next()).toMatchObject({ id: 1, error: { code: ErrorCode.InvalidParams, data: { field: 'params.env.A=B' } } });
    c.send('{"jsonrpc":"2.0","id":2,"method":"track","params":{"argv":[""],"cwd":"/"}}\n');
    expect(await c.next()).toMatchObject({ id: 2, error: { code: ErrorCode.InvalidParams, data: { field: 'params.argv[0]' } } });
    c.send('{"jsonrpc":"2.0","id":3,"method":"track","params":{"argv":["true"],"cwd":"/","name":"42"}}\n');
    expect(await c.next()).toMatchObject({ id: 3, error: { code: ErrorCode.InvalidParams, data: { field: 'params.name' } } });
    c.send('{"jsonrpc":"2.0","id":4,"method":"track","params":{"argv":["true"],"cwd":"/","name":"x\\u001b[31m"}}\n');
    expect(await c.next()).toMatchObject({ id: 4, error: { code: ErrorCode.InvalidParams, data: { field: 'params.name' } } });
    c.send('{"jsonrpc":"2.0","id":5,"method":"list","params":{"all":true}}\n');
    expect(await c.next()).toMatchObject({ id: 5, result: [] });
    c.socket.destroy();
  });

  it('unknown method → -32601; wrong param types → -32602 naming the field; bad envelopes → -32600', async () => {
    const c = await raw(d.paths.socket);
    c.send('{"jsonrpc":"2.0","id":1,"method":"nope"}\n');
    expect(await c.next()).toMatchObject({ id: 1, error: { code: ErrorCode.MethodNotFound, message: 'unknown method: nope' } });
    c.send('{"jsonrpc":"2.0","id":2,"method":"status","params":{"job":true}}\n');
    expect(await c.next()).toMatchObject({ id: 2, error: { code: ErrorCode.InvalidParams, data: { field: 'params.job' } } });
    c.send('{"jsonrpc":"2.0","id":3,"method":"track","params":{"argv":"ls","cwd":"/"}}\n');
    expect(await c.next()).toMatchObject({ id: 3, error: { code: ErrorCode.InvalidParams, data: { field: 'params.argv' } } });
    c.send('{"jsonrpc":"2.0","id":4,"method":"kill","params":[1]}\n');
    expect(await c.next()).toMatchObject({ id: 4, error: { code: ErrorCode.InvalidParams } });
    c.send('[null]\n');
    expect(await c.next()).toEqual([{ jsonrpc: '2.0', id: null, error: expect.objectContaining({ code: ErrorCode.InvalidRequest }) }]);
    c.send('[]\n');
    expect(await c.next()).toMatchObject({ error: { code: ErrorCode.InvalidRequest } });
    c.send('[{"jsonrpc":"2.0","id":5,"method":"hello"},{"jsonrpc":"2.0","method":"hello"},{"jsonrpc":"2.0","id":6,"method":"x"}]\n');
    expect(await c.next()).toEqual([
      expect.objectContaining({ id: 5, result: expect.any(Object) }),
      expect.objectContaining({ id: 6, error: expect.objectContaining({ code: ErrorCode.MethodNotFound }) }),
    ]);
    c.send('{"jsonrpc":"2.0","id":8,"method":"status","params":{"job":424242}}\n');
    expect(await c.next()).toMatchObject({ id: 8, error: { code: ErrorCode.JobNotFound, data: { job: 424242 } } });
    c.socket.destroy();
  });

  it('survives a client that disconnects in the middle of a call', async () => {
    const client = await d.client();
    const job = await client.track({ argv: ['sleep', '100'], cwd: '/' });
    const c = await raw(d.paths.socket);
    c.send(`{"jsonrpc":"2.0","id":1,"method":"wait","params":{"jobs":[${job.id}]}}\n`);
    c.send(`{"jsonrpc":"2.0","id":2,"method":"logs","params":{"job":${job.id},"waitMs":5000}}\n`);
    c.socket.destroy();
    const s = await client.daemonStatus();
    expect(s.counts.running).toBe(1);
  });

  it('serves 100 concurrent clients doing 100 calls each, every answer correct', async () => {
    const first = await d.client();
    const job = await first.track({ argv: ['sleep', '100'], cwd: '/', name: 'load' });
    const clients = await Promise.all(Array.from({ length: 100 }, () => connect({ paths: d.paths, autostart: false })));
    try {
      const results = await Promise.all(
        clients.map(async (c, i) => {
          let good = 0;
          for (let k = 0; k < 100; k++) {
            if (k % 2 === 0) {
              const s = await c.status({ job: job.id });
              if (s.id === job.id && s.name === 'load') good++;
            } else {
              const h = await c.hello({ client: `c${i}` });
              if (h.protocolVersion === 1) good++;
            }
          }
          return good;
        }),
      );
      expect(results.reduce((a, b) => a + b, 0)).toBe(10_000);
    } finally {
      for (const c of clients) c.close();
    }
  }, 120_000);

  it('the client library rejects pending calls when the daemon goes away', async () => {
    const client = await d.client();
    const job = await client.track({ argv: ['sleep', '100'], cwd: '/' });
    const pending = client.wait({ jobs: [job.id] });
    process.kill(client.daemon.pid, 'SIGKILL');
    await expect(pending).rejects.toMatchObject({ message: 'the daemon closed the connection', data: { disconnected: true } });
    await waitFor(() => processGone(client.daemon.pid), { what: 'the daemon to be gone' });
    await expect(connect({ paths: d.paths, autostart: false })).rejects.toMatchObject({ message: expect.stringMatching(/not running/) });
  });
});
