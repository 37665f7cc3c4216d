// The scan behind `procd ports` / `kill --port`: tables first, fds in slices that yield to the event
// loop, stopping once every listening socket has a holder. Real sockets and fds of this process.

import { closeSync, openSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanListeningHolders } from '../../../daemon/proc/socket-scan.js';
import type { TableSocket } from '../../../daemon/proc/sockets.js';

const EXTRA_FDS = 500;
let server: Server;
let port = 0;
let extra: number[] = [];

beforeAll(async () => {
  server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
  // Opened after the listener: /proc/PID/fd lists fds in ascending order, so they come after it.
  extra = Array.from({ length: EXTRA_FDS }, () => openSync('/dev/null', 'r'));
});
afterAll(async () => {
  for (const fd of extra) closeSync(fd);
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function ourSocket(): Promise<TableSocket> {
  const scan = await scanListeningHolders([process.pid]);
  const mine = scan.sockets.find((s) => s.port === port && s.protocol === 'tcp');
  expect(mine, `port ${port} in the socket tables`).toBeDefined();
  return mine!;
}

describe('scanListeningHolders', () => {
  it("attributes this process's listening socket to it, from the real tables", async () => {
    const scan = await scanListeningHolders([process.pid]);
    const mine = scan.sockets.find((s) => s.port === port && s.protocol === 'tcp')!;
    expect(scan.holders.get(mine.inode)).toBe(process.pid);
  });

  it('yields to the event loop while it reads fds (a process with many fds does not stall the daemon)', async () => {
    // A listening inode nobody holds: every fd is read.
    const unheld: TableSocket = { inode: 1, port: 1, protocol: 'tcp', address: '0.0.0.0', uid: 0 };
    let spins = 0;
    let spinning = true;
    const spin = () => {
      spins++;
      if (spinning) setImmediate(spin);
    };
    setImmediate(spin);
    const scan = await scanListeningHolders([process.pid], { slice: 16, tablesOf: () => [unheld] });
    spinning = false;
    expect(scan.fdsRead).toBeGreaterThanOrEqual(EXTRA_FDS);
    expect(spins).toBeGreaterThanOrEqual(Math.floor(EXTRA_FDS / 16) - 1);
  });

  it('stops reading fds once every listening socket has a holder', async () => {
    const mine = await ourSocket();
    const scan = await scanListeningHolders([process.pid], { tablesOf: () => [mine] });
    expect(scan.holders.get(mine.inode)).toBe(process.pid);
    expect(scan.fdsRead).toBeLessThan(EXTRA_FDS);
  });
});
