// port-free=PORT: from the kernel's socket tables (no connection made), against a real listener.

import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { checkPortFree, procHasListener } from '../../../daemon/waits/port-free.js';

const HEADER = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
/** One row of /proc/net/tcp: local port (hex), state (0A = LISTEN), inode. */
const row = (port: number, state: string, inode: number) => `   0: 0100007F:${port.toString(16).toUpperCase().padStart(4, '0')} 00000000:0000 ${state} 00000000:00000000 00:00000000 00000000  1000        0 ${inode} 1 0000000000000000 100 0 0 10 0\n`;

describe('port-free', () => {
  it('reads LISTEN rows of tcp and tcp6 only; null when there are no tables', async () => {
    const tables: Record<string, string> = { '/proc/net/tcp': HEADER + row(3000, '01', 11), '/proc/net/tcp6': HEADER + row(4000, '0A', 12) };
    const read = (p: string) => (p in tables ? Promise.resolve(tables[p]!) : Promise.reject(new Error('ENOENT')));
    expect(await procHasListener(3000, read)).toBe(false); // an established connection, not a listener
    expect(await procHasListener(4000, read)).toBe(true);
    expect(await procHasListener(4000, () => Promise.reject(new Error('ENOENT')))).toBeNull();
  });

  it('a real listener holds its port; once it is closed the port is free', async () => {
    const server = createServer().listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    try {
      expect(await checkPortFree(port, 2000)).toEqual({ ok: false, detail: `something listens on ${port}` });
    } finally {
      server.close();
      await once(server, 'close');
    }
    expect(await checkPortFree(port, 2000)).toEqual({ ok: true, detail: `nothing listens on ${port}` });
  });
});
