// connect({ prefetch }): read-only calls sent right behind hello, before its answer (`procd ls`
// saves a round trip), with the same version checks as any call and the old-daemon fallback kept.

import { afterEach, describe, expect, it } from 'vitest';
import { connect, ProcdError } from '../../../client/index.js';
import { ErrorCode } from '../../../shared/errors.js';
import { PROTOCOL_VERSION } from '../../../shared/methods.js';
import { resolvePaths } from '../../../shared/paths.js';
import { startStandIn, type StandIn, type StandInAnswer, type StandInRequest as Request } from '../../helpers/stand-in-daemon.js';

let stand: StandIn | null = null;
afterEach(async () => {
  await stand?.close();
  stand = null;
});

interface StandInOptions {
  /** The protocol version its hello gives. */
  protocolVersion: number;
  /** Like a daemon from before pid/via: refuses hello fields beyond client and protocolVersion. */
  strict?: boolean;
  /** Holds hello's answer until a second request has arrived (a client that waits for it never sends one). */
  helloAfterNext?: boolean;
}

const JOBS = [{ id: 7, name: 'from-the-stand-in' }];

/** A stand-in daemon: hello, and `list` answering JOBS. Every request it reads goes to `seen`. */
async function standIn(o: StandInOptions, seen: Request[]): Promise<string> {
  stand = await startStandIn('procd-prefetch-', () => {
    let heldHello: Request | null = null;
    const answer = (req: Request, reply: (id: number, a: StandInAnswer) => void) => {
      const extra = Object.keys(req.params).filter((k) => k !== 'client' && k !== 'protocolVersion');
      reply(
        req.id,
        req.method !== 'hello'
          ? { result: JOBS }
          : o.strict && extra.length
            ? { error: { code: ErrorCode.InvalidParams, message: `invalid params.${extra[0]}: expected no such field` } }
            : { result: { daemonVersion: '0.0.9', protocolVersion: o.protocolVersion, pid: 1, capabilities: ['jobs'] } },
      );
    };
    return (req, reply) => {
      seen.push(req);
      if (o.helloAfterNext && req.method === 'hello' && seen.length === 1) {
        heldHello = req;
        return;
      }
      answer(req, reply);
      if (heldHello) answer(heldHello, reply);
      heldHello = null;
    };
  });
  return stand.socket;
}

const paths = (socket: string) => ({ ...resolvePaths({ PROCD_HOME: stand!.dir }), socket });
// Generous: on a busy machine an answer can take seconds; a client that waits for hello's answer before sending never gets one.
const TIMEOUT = 15_000;

describe('connect({ prefetch })', () => {
  it('sends the call behind hello before hello is answered, and the later call takes its answer', async () => {
    const seen: Request[] = [];
    const socket = await standIn({ protocolVersion: PROTOCOL_VERSION, helloAfterNext: true }, seen);
    const c = await connect({ paths: paths(socket), autostart: false, callTimeoutMs: TIMEOUT, prefetch: [{ method: 'list', params: { all: true } }] });
    try {
      expect(await c.list({ all: true })).toEqual(JOBS);
      // Sent once: the call took the prefetched answer rather than asking again.
      expect(seen.map((r) => r.method)).toEqual(['hello', 'list']);
      expect(seen[1]!.params).toEqual({ all: true });
      // A second call (or one with other params) is sent as usual.
      expect(await c.list({ all: true })).toEqual(JOBS);
      expect(seen.map((r) => r.method)).toEqual(['hello', 'list', 'list']);
    } finally {
      c.close();
    }
  });

  it('a daemon of another protocol version is still refused with VersionMismatch', async () => {
    const seen: Request[] = [];
    const socket = await standIn({ protocolVersion: PROTOCOL_VERSION + 1 }, seen);
    const refused = connect({ paths: paths(socket), autostart: false, callTimeoutMs: TIMEOUT, prefetch: [{ method: 'list', params: {} }] });
    await expect(refused).rejects.toMatchObject({ code: ErrorCode.VersionMismatch });
  });

  it('across protocol versions the pipelined answer of a non-stable method is discarded: the call fails with VersionMismatch', async () => {
    const seen: Request[] = [];
    const socket = await standIn({ protocolVersion: PROTOCOL_VERSION + 1 }, seen);
    const c = await connect({ paths: paths(socket), autostart: false, allowProtocolMismatch: true, callTimeoutMs: TIMEOUT, prefetch: [{ method: 'list', params: {} }] });
    try {
      const err = await c.list({}).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ProcdError);
      expect((err as ProcdError).code).toBe(ErrorCode.VersionMismatch);
      expect((err as ProcdError).data.method).toBe('list');
    } finally {
      c.close();
    }
  });

  it('still falls back to the plain hello for a daemon from before the identity fields, and uses the answer', async () => {
    const seen: Request[] = [];
    const socket = await standIn({ protocolVersion: PROTOCOL_VERSION, strict: true }, seen);
    const c = await connect({ paths: paths(socket), autostart: false, callTimeoutMs: TIMEOUT, prefetch: [{ method: 'list', params: {} }] });
    try {
      expect(c.daemon.daemonVersion).toBe('0.0.9');
      expect(await c.list({})).toEqual(JOBS);
      expect(seen.map((r) => r.method)).toEqual(['hello', 'list', 'hello']);
      expect(seen[2]!.params).toEqual({ client: expect.stringMatching(/^procd-client\//), protocolVersion: PROTOCOL_VERSION });
    } finally {
      c.close();
    }
  });

  it('refuses a method that changes state: it would run before the version check', async () => {
    const seen: Request[] = [];
    const socket = await standIn({ protocolVersion: PROTOCOL_VERSION }, seen);
    const refused = connect({ paths: paths(socket), autostart: false, prefetch: [{ method: 'kill', params: { jobs: ['1'] } }] });
    await expect(refused).rejects.toMatchObject({ code: ErrorCode.InvalidParams, data: { method: 'kill' } });
    expect(seen).toEqual([]);
  });
});
