// A stand-in daemon for client tests: a Unix socket in a temporary directory that reads
// newline-delimited JSON-RPC requests, one connection at a time in order, and answers what the
// test's handler says (or holds an answer back). For what a real daemon cannot be made to do:
// answer hello late, refuse new fields as an old one would, say another version.

import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface StandInRequest {
  id: number;
  method: string;
  params: Record<string, unknown>;
}

export type StandInAnswer = { result: unknown } | { error: { code: number; message: string } };

/** Per connection: called with each request and a function that writes an answer (to this or an earlier request). */
export type RequestHandler = (req: StandInRequest, reply: (id: number, answer: StandInAnswer) => void) => void;

export interface StandIn {
  /** Its temporary directory (a PROCD_HOME for the client, if it wants one). */
  dir: string;
  socket: string;
  close(): Promise<void>;
}

/** Listens on `<tmp>/s.sock`; `onConnection` makes the handler of each new connection (its state lives there). */
export async function startStandIn(prefix: string, onConnection: () => RequestHandler): Promise<StandIn> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const socket = join(dir, 's.sock');
  const server: Server = createServer((conn: Socket) => {
    const handle = onConnection();
    const reply = (id: number, answer: StandInAnswer) => void conn.write(`${JSON.stringify({ jsonrpc: '2.0', id, ...answer })}\n`);
    let buffered = '';
    conn.on('error', () => undefined);
    conn.on('data', (chunk) => {
      buffered += chunk.toString('utf8');
      for (let nl = buffered.indexOf('\n'); nl !== -1; nl = buffered.indexOf('\n')) {
        const req = JSON.parse(buffered.slice(0, nl)) as StandInRequest;
        buffered = buffered.slice(nl + 1);
        handle({ ...req, params: req.params ?? {} }, reply);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  return {
    dir,
    socket,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
