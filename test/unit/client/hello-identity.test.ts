// The client says who it is in hello (name, pid, what it does: the audit log shows it), and still
// reaches a daemon from before those fields, whose strict params refuse them.

import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { connect } from '../../../client/index.js';
import { ErrorCode } from '../../../shared/errors.js';
import { PROTOCOL_VERSION } from '../../../shared/methods.js';
import { resolvePaths } from '../../../shared/paths.js';
import { startStandIn, type StandIn } from '../../helpers/stand-in-daemon.js';

let stand: StandIn | null = null;
afterEach(async () => {
  await stand?.close();
  stand = null;
});

/** A stand-in daemon answering hello only; `strict`: like a daemon from before pid/via, it refuses unknown fields. */
async function standIn(strict: boolean, seen: Record<string, unknown>[]): Promise<string> {
  stand = await startStandIn('procd-hello-', () => (req, reply) => {
    seen.push(req.params);
    const unknown = Object.keys(req.params).filter((k) => k !== 'client' && k !== 'protocolVersion');
    reply(
      req.id,
      strict && unknown.length
        ? { error: { code: ErrorCode.InvalidParams, message: `invalid params.${unknown[0]}: expected no such field` } }
        : { result: { daemonVersion: '0.0.9', protocolVersion: PROTOCOL_VERSION, pid: 1, capabilities: ['jobs'] } },
    );
  });
  return stand.socket;
}

const paths = (socket: string) => ({ ...resolvePaths({ PROCD_HOME: stand!.dir }), socket });

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
