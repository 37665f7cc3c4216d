import { createServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createTcpCheck } from '../../../daemon/probes/checks/tcp.js';
import { waitFor } from '../../helpers/wait-for.js';
import { Spawned } from '../proc/spawned.js';
import { Servers, unansweredPort } from './target.js';

const servers = new Servers();
const spawned = new Spawned();
afterEach(async () => {
  await servers.closeAll();
  await spawned.cleanup();
});

describe('tcp check', () => {
  it('succeeds when the port accepts a connection, and closes that connection', async () => {
    const accepted: Socket[] = [];
    const port = await servers.listen(createServer((s) => accepted.push(s)));
    const check = createTcpCheck({ kind: 'tcp', host: '127.0.0.1', port });
    expect(await check.run(5000)).toEqual({ ok: true, detail: `connected to 127.0.0.1:${port}` });
    // The checker does not keep the connection: the server sees it end.
    await waitFor(() => accepted.length === 1 && accepted[0]!.closed, { what: 'the probe connection to close' });
    check.close();
  });

  it('writes an IPv6 host in brackets', async () => {
    const port = await servers.listen(createServer(), '::1');
    const check = createTcpCheck({ kind: 'tcp', host: '::1', port });
    expect(await check.run(5000)).toEqual({ ok: true, detail: `connected to [::1]:${port}` });
  });

  it('fails with ECONNREFUSED when nothing listens', async () => {
    const port = await servers.freePort();
    const check = createTcpCheck({ kind: 'tcp', host: '127.0.0.1', port });
    expect(await check.run(5000)).toEqual({ ok: false, detail: `ECONNREFUSED 127.0.0.1:${port}` });
  });

  it('fails with the resolver error for a host that does not exist', async () => {
    const check = createTcpCheck({ kind: 'tcp', host: 'no-such-host.invalid', port: 80 });
    const r = await check.run(10_000);
    expect(r.ok).toBe(false);
    expect(r.detail).toMatch(/^E[A-Z_]+ no-such-host\.invalid:80$/);
  });

  it('fails within about the timeout when the connect hangs', async () => {
    const hung = await unansweredPort(spawned);
    try {
      const check = createTcpCheck({ kind: 'tcp', host: '127.0.0.1', port: hung.port });
      const started = Date.now();
      expect(await check.run(300)).toEqual({ ok: false, detail: 'timed out after 300ms' });
      expect(Date.now() - started).toBeLessThan(10_000); // bounded by the timeout, not by the kernel's SYN retries (minutes)
      check.close();
    } finally {
      hung.release();
    }
  });
});
