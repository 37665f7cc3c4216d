// One socket connection speaking JSON-RPC: numbered calls with per-call timeouts, answers matched
// by id, server notifications delivered to listeners, and every pending call rejected on disconnect.

import { EventEmitter } from 'node:events';
import { connect as netConnect, type Socket } from 'node:net';
import { ErrorCode, ProcdError } from '../shared/errors.js';
import { encodeFrame, LineDecoder, MAX_FRAME_BYTES } from '../shared/framing.js';
import { tooLarge } from '../shared/request-size.js';
import { isObject } from '../shared/rpc.js';

const MAX_TIMER_MS = 2 ** 31 - 1;

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout | null;
  method: string;
}

/** The daemon's answers can be large (logs, lists): allow more than the request cap. */
const MAX_RESPONSE_BYTES = 64 << 20;

export class RpcConnection extends EventEmitter<{ notification: [string, unknown]; close: [] }> {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly decoder = new LineDecoder(MAX_RESPONSE_BYTES);
  private closed = false;

  private constructor(private readonly socket: Socket) {
    super();
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('close', () => this.onClose());
    socket.on('error', () => undefined); // 'close' follows and rejects what is pending
  }

  /** Opens the socket; rejects with the raw errno error (ENOENT, ECONNREFUSED, EACCES, ...). */
  static open(path: string, timeoutMs = 5000): Promise<RpcConnection> {
    return new Promise((resolve, reject) => {
      const socket = netConnect(path);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(Object.assign(new Error(`timed out connecting to ${path}`), { code: 'ETIMEDOUT' }));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new RpcConnection(socket));
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
  }

  call(method: string, params: unknown, timeoutMs: number | null): Promise<unknown> {
    if (this.closed) return Promise.reject(new ProcdError(ErrorCode.DaemonUnavailable, 'connection to the daemon is closed', { method, disconnected: true }));
    const id = this.nextId++;
    const frame = encodeFrame({ jsonrpc: '2.0', id, method, params });
    // The daemon would drop the connection at its cap: say here which part is too large, and keep the connection.
    const bytes = frame.length > MAX_FRAME_BYTES / 3 ? Buffer.byteLength(frame) - 1 : 0;
    if (bytes > MAX_FRAME_BYTES) {
      const { message, data } = tooLarge(method, params, bytes);
      return Promise.reject(new ProcdError(ErrorCode.FrameTooLarge, message, data));
    }
    return new Promise((resolve, reject) => {
      // Beyond Node's timer limit (2^31−1 ms, ~24.8 days) a timer fires at once: such a long call
      // (`wait --timeout 30d`) relies on the daemon's own deadline and on the connection instead.
      const timer =
        timeoutMs === null || timeoutMs > MAX_TIMER_MS
          ? null
          : setTimeout(() => {
              this.pending.delete(id);
              reject(new ProcdError(ErrorCode.Timeout, `${method}: no answer from the daemon within ${timeoutMs}ms`, { method, timeoutMs }));
            }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer, method });
      this.socket.write(frame);
    });
  }

  /** True once the socket has closed (every call from then on is refused without being sent). */
  get isClosed(): boolean {
    return this.closed;
  }

  close(): void {
    // Closing the socket is the whole goodbye: the daemon reads EOF. (An end() before it only
    // queued a shutdown that destroy() cancels, and cost a `procd ls` ~0.2 ms.)
    if (this.socket.destroyed) return;
    this.socket.destroy();
  }

  /** Keeps the process from exiting while this connection is open (true by default). */
  ref(on: boolean): void {
    if (on) this.socket.ref();
    else this.socket.unref();
  }

  private onData(chunk: Buffer): void {
    for (const frame of this.decoder.push(chunk)) {
      if (frame.kind === 'oversize') {
        this.failAll(new ProcdError(ErrorCode.FrameTooLarge, `answer larger than ${MAX_RESPONSE_BYTES} bytes`));
        this.close();
        return;
      }
      let message: unknown;
      try {
        message = JSON.parse(frame.text);
      } catch {
        continue;
      }
      this.onMessage(message);
    }
  }

  private onMessage(message: unknown): void {
    if (!isObject(message)) return;
    if (typeof message.method === 'string' && !('id' in message)) {
      this.emit('notification', message.method, message.params);
      return;
    }
    const id = typeof message.id === 'number' ? message.id : null;
    if (id === null) {
      // An error not tied to a call (e.g. our frame was too large): fail everything pending.
      if (isObject(message.error)) this.failAll(toProcdError(message.error));
      return;
    }
    const call = this.pending.get(id);
    if (!call) return;
    this.pending.delete(id);
    if (call.timer) clearTimeout(call.timer);
    if (isObject(message.error)) call.reject(toProcdError(message.error));
    else call.resolve(message.result);
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.failAll(new ProcdError(ErrorCode.DaemonUnavailable, 'the daemon closed the connection', { disconnected: true }));
    this.emit('close');
  }

  private failAll(err: ProcdError): void {
    for (const [id, call] of this.pending) {
      if (call.timer) clearTimeout(call.timer);
      this.pending.delete(id);
      call.reject(err);
    }
  }
}

function toProcdError(error: Record<string, unknown>): ProcdError {
  const code = typeof error.code === 'number' ? error.code : ErrorCode.InternalError;
  const message = typeof error.message === 'string' ? error.message : 'unknown error';
  const data = isObject(error.data) ? error.data : {};
  return new ProcdError(code, message, data);
}
