// `port-free=PORT`: nothing listens on the TCP port. On Linux from the kernel's socket tables
// (/proc/net/tcp and tcp6 of the daemon's network namespace: any local address, no connection
// made, so a server is never poked); elsewhere a connection to 127.0.0.1:PORT that is refused.

import { connect } from 'node:net';
import { readFile } from 'node:fs/promises';
import type { CheckResult } from '../probes/check.js';
import { bounded, errorCode } from '../probes/checks/common.js';
import { parseProcNetTcp } from '../proc/sockets.js';

/** Whether the tables list a listener on `port` (null: no /proc tables here). */
export async function procHasListener(port: number, read: (path: string) => Promise<string> = (p) => readFile(p, 'latin1')): Promise<boolean | null> {
  const tables = await Promise.all(['/proc/net/tcp', '/proc/net/tcp6'].map((p) => read(p).catch(() => null)));
  if (tables.every((t) => t === null)) return null;
  return tables.some((t) => t !== null && [...parseProcNetTcp(t).values()].includes(port));
}

function connectRefused(port: number, timeoutMs: number): Promise<CheckResult> {
  const socket = connect({ host: '127.0.0.1', port });
  const attempt = new Promise<CheckResult>((resolve) => {
    socket.once('connect', () => resolve({ ok: false, detail: `something listens on 127.0.0.1:${port}` }));
    socket.on('error', (err) => {
      const code = errorCode(err);
      resolve(code === 'ECONNREFUSED' ? { ok: true, detail: `nothing listens on ${port}` } : { ok: false, detail: `${code} 127.0.0.1:${port}` });
    });
  });
  return bounded(attempt, timeoutMs).finally(() => socket.destroy());
}

export async function checkPortFree(port: number, timeoutMs: number): Promise<CheckResult> {
  const listening = await procHasListener(port);
  if (listening === null) return connectRefused(port, timeoutMs);
  return listening ? { ok: false, detail: `something listens on ${port}` } : { ok: true, detail: `nothing listens on ${port}` };
}
