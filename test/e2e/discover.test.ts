// rpc.discover on a real daemon: the method name with a dot goes through the socket's dispatch, the
// client library (rpcDiscover) and the CLI (`procd discover`), and the answer is the checked-in
// docs/openrpc.json, read from disk on the first call.

import { readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO, startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { expectExit, parseJson } from './helpers/jobs.js';

let d: TestDaemon | undefined;
afterEach(async () => {
  await d?.cleanup();
  d = undefined;
});

const committed = (): unknown => JSON.parse(readFileSync(join(REPO, 'docs/openrpc.json'), 'utf8'));

/** Sends raw lines on a fresh connection and returns the first `count` answers. */
async function rawCall(socket: string, lines: string[], count: number): Promise<Record<string, unknown>[]> {
  const conn = createConnection(socket);
  try {
    let text = '';
    const answers = new Promise<Record<string, unknown>[]>((resolve, reject) => {
      conn.on('data', (b: Buffer) => {
        text += b.toString('utf8');
        const done = text.split('\n').slice(0, -1);
        if (done.length >= count) resolve(done.slice(0, count).map((l) => JSON.parse(l) as Record<string, unknown>));
      });
      conn.once('error', reject);
      conn.once('close', () => reject(new Error(`connection closed after: ${text.slice(0, 300)}`)));
    });
    conn.write(lines.map((l) => `${l}\n`).join(''));
    return await answers;
  } finally {
    conn.destroy();
  }
}

describe('rpc.discover', () => {
  it('answers the checked-in OpenRPC document over the socket, with or without params; bad params get InvalidParams', async () => {
    d = await startTestDaemon();
    const [noParams, emptyParams, bad, after] = await rawCall(
      d.paths.socket,
      [
        '{"jsonrpc":"2.0","id":1,"method":"rpc.discover"}',
        '{"jsonrpc":"2.0","id":2,"method":"rpc.discover","params":{}}',
        '{"jsonrpc":"2.0","id":3,"method":"rpc.discover","params":{"verbose":true}}',
        '{"jsonrpc":"2.0","id":4,"method":"hello","params":{}}',
      ],
      4,
    );
    const byId = new Map([noParams, emptyParams, bad, after].map((a) => [a!.id, a!]));
    expect(byId.get(1)!.result).toEqual(committed());
    expect(byId.get(2)!.result).toEqual(committed());
    expect(byId.get(3)!.error).toMatchObject({ code: -32602, data: { field: 'params.verbose' } });
    expect(byId.get(4)!.result).toMatchObject({ capabilities: expect.arrayContaining(['rpc.discover']) });
  });

  it('the client library calls it as rpcDiscover, and `procd discover` prints it as JSON', async () => {
    d = await startTestDaemon();
    const c = await d.client();
    try {
      const doc = await c.rpcDiscover();
      expect(doc).toEqual(committed());
      expect(doc.methods.map((m) => m.name)).toContain('rpc.discover');
    } finally {
      c.close();
    }
    const r = await d.cli(['discover']);
    expectExit(r, 0, 'discover');
    expect(parseJson(r, 'discover')).toEqual(committed());
    const unknown = await d.cli(['rpc.discover']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command/);
  });
});
