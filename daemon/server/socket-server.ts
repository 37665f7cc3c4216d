// The socket transport: accepts connections, splits lines, parses JSON, hands messages to the
// dispatcher and writes answers. Malformed JSON gets -32700 and the connection stays usable; an
// over-size frame gets an error and the connection is closed; neither affects other clients.

import { chmodSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { formatBytes } from '../../shared/duration.js';
import { ErrorCode } from '../../shared/errors.js';
import { encodeFrame, LineDecoder, MAX_FRAME_BYTES } from '../../shared/framing.js';
import { TOO_LARGE_FIX } from '../../shared/request-size.js';
import type { RpcNotification } from '../../shared/rpc.js';
import type { Logger } from '../logger.js';
import { dispatchMessage, errorResponse, type CallContext, type DispatchHooks, type HandlerTable } from './dispatch.js';

/** A subscriber whose unread output exceeds this is dropped rather than let the daemon grow. */
export const MAX_PENDING_WRITE_BYTES = 8 << 20;
/**
 * How long a connection ended with unread output stays open for its client to read it (a dropped
 * subscriber's backlog ends with the notification saying why): long enough for a client paused
 * by a debugger or a stopped terminal, short enough that abandoned ones do not pile up.
 */
export const END_LINGER_MS = 60_000;

export interface Connection extends CallContext {
  close(): void;
}

export class SocketServer {
  private server: Server | null = null;
  private readonly connections = new Set<Connection>();
  private nextConnectionId = 1;

  constructor(
    private readonly handlers: HandlerTable,
    private readonly logger: Logger,
    private readonly onDisconnect: (conn: Connection) => void = () => {},
    /** Told of every audited call (the audit log). */
    private readonly onAudited?: DispatchHooks['onAudited'],
    /** Told how long each call took (the RPC latency histogram). */
    private readonly onTimed?: DispatchHooks['onTimed'],
  ) {}

  listen(path: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const server = createServer((socket) => this.accept(socket));
      server.once('error', reject);
      server.listen({ path, exclusive: true }, () => {
        server.off('error', reject);
        server.on('error', (err) => this.logger.error({ err }, 'socket server error'));
        if (process.platform !== 'win32') chmodSync(path, 0o600);
        this.server = server;
        resolve();
      });
    });
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  allConnections(): Iterable<Connection> {
    return this.connections;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const conn of this.connections) conn.close();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    const id = this.nextConnectionId++;
    const decoder = new LineDecoder(MAX_FRAME_BYTES);
    /** The socket is gone: set once, by its close event. */
    let closed = false;
    /** We ended the connection (an over-size frame, a dropped subscriber): nothing more is read or sent, but it is not gone yet. */
    let ending = false;
    let resolveClosed!: () => void;
    const closedPromise = new Promise<void>((r) => (resolveClosed = r));

    const send = (text: string): boolean => {
      if (closed || ending || socket.destroyed) return false;
      if (socket.writableLength > MAX_PENDING_WRITE_BYTES) {
        this.logger.warn({ connection: id, pending: socket.writableLength }, 'client is not reading; dropping it');
        socket.destroy();
        return false;
      }
      socket.write(text);
      return true;
    };

    /**
     * Ends the connection from our side after `last` and what is already queued: its waits and
     * subscriptions end now, and the client may read the rest for END_LINGER_MS.
     */
    const end = (last?: string) => {
      if (ending || closed) return;
      ending = true;
      if (last === undefined) socket.end();
      else socket.end(last);
      resolveClosed(); // the close event still unregisters the connection
      setTimeout(() => socket.destroy(), END_LINGER_MS).unref();
    };

    const conn: Connection = {
      connectionId: id,
      identity: { name: null, pid: null, via: null, parentName: null },
      closed: closedPromise,
      isClosed: () => closed || ending,
      notify: (method, params) => send(encodeFrame({ jsonrpc: '2.0', method, params } satisfies RpcNotification)),
      pendingBytes: () => socket.writableLength,
      endGracefully: () => end(),
      close: () => socket.destroy(),
    };
    this.connections.add(conn);

    const finish = () => {
      if (closed) return;
      closed = true;
      this.connections.delete(conn);
      resolveClosed();
      this.onDisconnect(conn);
    };
    socket.on('close', finish);
    socket.on('error', (err) => this.logger.debug({ connection: id, err: err.message }, 'client socket error'));

    socket.on('data', (chunk: Buffer) => {
      if (ending) return;
      for (const frame of decoder.push(chunk)) {
        if (frame.kind === 'oversize') {
          this.logger.warn({ connection: id, bytes: frame.bytes }, 'frame over the size limit; closing connection');
          const message = `message larger than ${MAX_FRAME_BYTES} bytes (${formatBytes(MAX_FRAME_BYTES)}); connection closed. A track this large carries a huge environment or argument list: ${TOO_LARGE_FIX.env}, or ${TOO_LARGE_FIX.argv}`;
          end(encodeFrame(errorResponse(null, ErrorCode.FrameTooLarge, message, { limit: MAX_FRAME_BYTES })));
          return;
        }
        this.handleLine(frame.text, conn, send);
      }
    });
  }

  private handleLine(text: string, conn: Connection, send: (text: string) => boolean): void {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      this.logger.info({ connection: conn.connectionId, bytes: text.length }, 'client error: malformed JSON');
      send(encodeFrame(errorResponse(null, ErrorCode.ParseError, 'parse error: the line is not valid JSON')));
      return;
    }
    dispatchMessage(message, this.handlers, conn, {
      onInternalError: (err, method) => this.logger.error({ err, method, connection: conn.connectionId }, 'handler failed'),
      ...(this.onAudited ? { onAudited: this.onAudited } : {}),
      ...(this.onTimed ? { onTimed: this.onTimed } : {}),
    })
      .then((response) => {
        if (!response) return;
        for (const r of Array.isArray(response) ? response : [response]) {
          // Protocol-level mistakes (bad envelope, unknown method, bad params) are the client's: log them.
          if ('error' in r && r.error.code <= ErrorCode.InvalidRequest && r.error.code >= ErrorCode.ParseError) {
            this.logger.info({ connection: conn.connectionId, code: r.error.code, message: r.error.message }, 'client error');
          }
        }
        send(encodeFrame(response));
      })
      .catch((err: unknown) => this.logger.error({ err }, 'dispatch failed'));
  }
}
