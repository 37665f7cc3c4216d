// Turns one decoded JSON-RPC message (or batch) into responses: validates the envelope, looks the
// method up in the shared table, validates params against its schema (shared/schemas/methods.ts),
// runs the handler and maps every failure to a JSON-RPC error object. Nothing thrown here escapes
// to the socket layer.

import { ErrorCode, ProcdError } from '../../shared/errors.js';
import { isMethodName, METHOD_SPECS, type MethodName, type ParamsOf, type ResultOf } from '../../shared/methods.js';
import { isObject, type RpcErrorObject, type RpcId, type RpcResponse } from '../../shared/rpc.js';
import { METHOD_SCHEMAS } from '../../shared/schemas/methods.js';
import { parseAt } from '../../shared/schemas/valid.js';

export type Handler<M extends MethodName> = (params: ParamsOf<M>, ctx: CallContext) => Promise<ResultOf<M>> | ResultOf<M>;
export type HandlerTable = { [M in MethodName]: Handler<M> };

/** Who is on the other end, as the client said in `hello` (nothing checks it: the socket is the user's own). */
export interface ClientIdentity {
  name: string | null;
  pid: number | null;
  via: string | null;
  /** The client's parent process name (its shell, its agent), recorded as a job's owner's. */
  parentName: string | null;
}

/** What a handler may know about the connection it is serving. */
export interface CallContext {
  connectionId: number;
  /** Filled in by `hello`; all null until then. */
  identity: ClientIdentity;
  /** Resolves when the client disconnects, so long waits can stop early. */
  closed: Promise<void>;
  isClosed(): boolean;
  /** Sends a server notification on this connection (subscriptions). False when it could not. */
  notify(method: string, params: unknown): boolean;
  /** Bytes written to this connection that the client has not read yet. */
  pendingBytes(): number;
  /** Closes after what is queued has been flushed (or after a short bound if the client never reads). */
  endGracefully(): void;
}

/** One call as it ended, for the audit log: the raw params, and the answer or the error. */
export interface CallEnd {
  method: MethodName;
  params: unknown;
  at: number;
  ms: number;
  outcome: { ok: true; result: unknown } | { ok: false; code: number; message: string };
}

export interface DispatchHooks {
  onInternalError(err: unknown, method: string): void;
  /** Told of every call of a method the table marks `audited`, before it is answered. */
  onAudited?(call: CallEnd, ctx: CallContext): void;
  /** Told how long every call of a known method took to answer, in seconds (valid or not). */
  onTimed?(method: MethodName, seconds: number): void;
}

const MAX_BATCH = 100;

/** Handles one parsed message; returns the response(s) to send, or null when nothing is owed. */
export async function dispatchMessage(
  message: unknown,
  handlers: HandlerTable,
  ctx: CallContext,
  hooks: DispatchHooks,
): Promise<RpcResponse | RpcResponse[] | null> {
  if (Array.isArray(message)) {
    if (message.length === 0) return errorResponse(null, ErrorCode.InvalidRequest, 'empty batch');
    if (message.length > MAX_BATCH) {
      return errorResponse(null, ErrorCode.InvalidRequest, `batch of ${message.length} requests; at most ${MAX_BATCH}`);
    }
    const results = await Promise.all(message.map((m) => dispatchOne(m, handlers, ctx, hooks)));
    const responses = results.filter((r): r is RpcResponse => r !== null);
    return responses.length ? responses : null;
  }
  return dispatchOne(message, handlers, ctx, hooks);
}

async function dispatchOne(message: unknown, handlers: HandlerTable, ctx: CallContext, hooks: DispatchHooks): Promise<RpcResponse | null> {
  if (!isObject(message) || message.jsonrpc !== '2.0' || typeof message.method !== 'string') {
    const id = isObject(message) && isValidId(message.id) ? message.id : null;
    return errorResponse(id, ErrorCode.InvalidRequest, 'not a JSON-RPC 2.0 request (needs jsonrpc:"2.0" and a string method)');
  }
  if ('id' in message && !isValidId(message.id)) {
    return errorResponse(null, ErrorCode.InvalidRequest, 'id must be a string, a number or null');
  }
  const isNotification = !('id' in message);
  const id = isNotification ? null : (message.id as RpcId);
  const reply = (r: RpcResponse): RpcResponse | null => (isNotification ? null : r);

  const name = message.method;
  if (!isMethodName(name)) {
    return reply(errorResponse(id, ErrorCode.MethodNotFound, `unknown method: ${name}`, { method: name, known: Object.keys(METHOD_SPECS) }));
  }
  const at = Date.now();
  const startedAt = performance.now();
  const audit = (outcome: CallEnd['outcome']) => {
    if (hooks.onAudited && (METHOD_SPECS[name] as { audited?: true }).audited) hooks.onAudited({ method: name, params: message.params, at, ms: Date.now() - at, outcome }, ctx);
  };
  try {
    const result = await callMethod(name, message.params, handlers, ctx);
    audit({ ok: true, result });
    return reply({ jsonrpc: '2.0', id, result: result ?? null });
  } catch (err) {
    if (err instanceof ProcdError) {
      audit({ ok: false, code: err.code, message: err.message });
      return reply(errorResponse(id, err.code, err.message, err.data));
    }
    hooks.onInternalError(err, name);
    audit({ ok: false, code: ErrorCode.InternalError, message: 'internal error' });
    // Never leak a stack trace or an internal message to the client.
    return reply(errorResponse(id, ErrorCode.InternalError, `internal error in ${name}; see the daemon log`));
  } finally {
    hooks.onTimed?.(name, (performance.now() - startedAt) / 1000);
  }
}

async function callMethod<M extends MethodName>(name: M, rawParams: unknown, handlers: HandlerTable, ctx: CallContext): Promise<ResultOf<M>> {
  if (Array.isArray(rawParams)) {
    throw new ProcdError(ErrorCode.InvalidParams, 'params must be an object of named parameters, not an array', { field: 'params' });
  }
  const parsed = parseAt(METHOD_SCHEMAS[name].params, withoutNulls(rawParams), 'params');
  if (!parsed.ok) {
    throw new ProcdError(ErrorCode.InvalidParams, `invalid ${parsed.issue.path}: expected ${parsed.issue.expected}`, {
      field: parsed.issue.path,
      expected: parsed.issue.expected,
    });
  }
  const handler = handlers[name] as Handler<M>;
  return handler(parsed.value as ParamsOf<M>, ctx);
}

/** Absent params are no params; a null field means "not given", as a missing one does. */
function withoutNulls(params: unknown): unknown {
  if (params === undefined || params === null) return {};
  if (!isObject(params)) return params;
  return Object.fromEntries(Object.entries(params).filter(([, value]) => value !== null));
}

function isValidId(id: unknown): id is RpcId {
  return id === null || typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id));
}

export function errorResponse(id: RpcId, code: number, message: string, data?: Record<string, unknown>): RpcResponse {
  const error: RpcErrorObject = { code, message };
  if (data && Object.keys(data).length) error.data = data;
  return { jsonrpc: '2.0', id, error };
}
