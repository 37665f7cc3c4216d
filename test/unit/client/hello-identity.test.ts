// The client says who it is in hello (name, pid, what it does: the audit log shows it), and still
// reaches a daemon from before those fields, whose strict params refuse them.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { connect } from '../../../client/index.js';
import { ErrorCode } from '../../../shared/errors.js';
import { PROTOCOL_VERSION } from '../../../shared/methods.js';
import { resolvePaths } from '../../../shared/paths.js';

let dir = '';
let server: Server | null = null;
afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = null;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A stand-in daemon answering hello only; `strict`: like a daemon from before pid/via, it refuses unknown fields. */
async function standIn(strict: boolean, seen: Record<string, unknown>[]): Promise<string> {
  dir = mkdtempSync(join(tmpdir(), 'procd-hello-'));
  const socket = join(dir, 's.sock');
  server = createServer((conn) => {
    let buffered = '';
    conn.on('data', (chunk) => {
      buffered += chunk.toString('utf8');
      for (let nl = buffered.indexOf('\n'); nl !== -1; nl = buffered.indexOf('\n')) {
        const req = JSON.parse(buffered.slice(0, nl)) as { id: number; params: Record<string, unknown> };
        buffered = buffered.slice(nl + 1);
        seen.push(req.params);
        const unknown = Object.keys(req.params).filter((k) => k !== 'client' && k !== 'protocolVersion');
        const answer =
          strict && unknown.length
            ? { error: { code: ErrorCode.InvalidParams, message: `invalid params.${unknown[0]}: expected no such field` } }
            : { result: { daemonVersion: '0.0.9', protocolVersion: PROTOCOL_VERSION, pid: 1, capabilities: ['jobs'] } };
        conn.write(`${JSON.stringify({ jsonrpc: '2.0', id: req.id, ...answer })}\n`);
      }
    });
  });
  await new Promise<void>((r) => server!.listen(socket, r));
  return socket;
}

const paths = (socket: string) => ({ ...resolvePaths({ PROCD_HOME: dir }), socket });

describe('hello identity', () => {
  it('sends the client name, its pid and what it does', async () => {
    const seen: Record<string, unknown>[] = [];
    const socket = await standIn(false, seen);
    const c = await connect({ paths: paths(socket), autostart: false, clientName: 'my-tool/2.0', via: 'up' });
    c.close();
    // The parent's name (what a job's owner records) as Linux names it; elsewhere it is not sent.
    const parentName = process.platform === 'linux' ? readFileSync(`/proc/${process.ppid}/comm`, 'utf8').trim() : undefined;
    expect(seen).toEqual([{ client: 'my-tool/2.0', protocolVersion: PROTOCOL_VERSION, pid: process.pid, via: 'up', ...(parentName ? { parentName } : {}) }]);
  });

  it('falls back to the plain hello when an older daemon refuses the new fields', async () => {
    const seen: Record<string, unknown>[] = [];
    const socket = await standIn(true, seen);
    const c = await connect({ paths: paths(socket), autostart: false, via: 'kill' });
    expect(c.daemon.daemonVersion).toBe('0.0.9');
    c.close();
    expect(seen).toHaveLength(2);
    expect(seen[1]).toEqual({ client: expect.stringMatching(/^procd-client\//), protocolVersion: PROTOCOL_VERSION });
  });
});
