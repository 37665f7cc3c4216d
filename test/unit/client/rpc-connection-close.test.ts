// Closing a connection twice (a client's close() and its end of session both close it) closes the
// socket once, by destroy() alone: an end() before it only queued a shutdown that destroy()
// cancels, and ending a destroyed socket makes Node build an error that no one reads — costs
// every CLI call paid on its way out. The daemon still sees the connection end.

import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, Socket, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RpcConnection } from '../../../client/rpc-connection.js';

let dir: string | undefined;
let server: Server | undefined;

afterEach(async () => {
  vi.restoreAllMocks();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('RpcConnection.close', () => {
  it('destroys the socket once, however often it is called, and the other side sees it end', async () => {
    dir = mkdtempSync(join(tmpdir(), 'procd-rpc-close-'));
    const path = join(dir, 's.sock');
    let sawClose: () => void = () => undefined;
    const serverSideClosed = new Promise<void>((resolve) => (sawClose = resolve));
    const s = createServer((c) => {
      c.on('error', () => undefined);
      c.on('close', () => sawClose());
    });
    server = s;
    await new Promise<void>((resolve) => s.listen(path, resolve));
    const conn = await RpcConnection.open(path);
    const end = vi.spyOn(Socket.prototype, 'end');
    const destroy = vi.spyOn(Socket.prototype, 'destroy');
    conn.close();
    conn.close();
    expect(end).not.toHaveBeenCalled();
    expect(destroy).toHaveBeenCalledTimes(1);
    await expect(conn.call('hello', {}, 1000)).rejects.toMatchObject({ data: { disconnected: true } });
    await serverSideClosed;
  });
});
