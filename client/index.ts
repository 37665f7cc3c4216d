// The procd client library: `connect()` gives one typed method per RPC method of the shared
// table, plus server notifications. It pulls in nothing CLI-specific, and no schema library: the
// types come from the schemas at compile time, the timeouts from the table (shared/methods.ts).

import { ErrorCode, ProcdError } from '../shared/errors.js';
import { isObject } from '../shared/rpc.js';
import { METHOD_SPECS, PROTOCOL_VERSION, type HelloResult, type IdempotentMethod, type MethodName, type ParamsIn, type ResultOf } from '../shared/methods.js';
import type { TimeoutRule } from '../shared/method-spec.js';
import type { ProcdPaths } from '../shared/paths.js';
import { checkSocketPathLength, resolveSocket } from '../shared/socket-path.js';
import { VERSION } from '../shared/version.js';
import { clientEnvironment } from './client-env.js';
import { RpcConnection } from './rpc-connection.js';

export { ErrorCode, ProcdError } from '../shared/errors.js';
export type * from '../shared/job.js';
export type { DaemonStatus, HelloResult, IdempotentMethod, KillResult, LogChunk, LogsResult, MethodName, ParamsIn, ParamsOf, ResultOf, WaitResult } from '../shared/methods.js';

export interface ConnectOptions {
  /** Start the daemon when none is running (default true; PROCD_NO_AUTOSTART=1 turns it off). */
  autostart?: boolean;
  /** Default per-call timeout in ms (null: none). Calls that wait (wait, logs with waitMs) add their own time. */
  callTimeoutMs?: number | null;
  /** How long autostart may take. */
  startTimeoutMs?: number;
  paths?: ProcdPaths;
  /**
   * Connect even to a daemon of another protocol version (for `daemon stop` / `restart`, whose
   * methods — hello, daemon.status, daemon.stop — keep their shape across versions so that any
   * client can replace any daemon). Other calls are then refused with VersionMismatch.
   */
  allowProtocolMismatch?: boolean;
  /** Called once when this connect had to start the daemon (the CLI tells a user at a terminal). */
  onAutostart?: (info: AutostartInfo) => void;
}

/** The daemon a connect started: its pid and the log it writes. */
export interface AutostartInfo {
  pid: number;
  logFile: string;
}

type CamelCase<S extends string> = S extends `${infer A}.${infer B}` ? `${A}${Capitalize<CamelCase<B>>}` : S;
type TypedCalls = { [M in MethodName as CamelCase<M>]: (params?: ParamsIn<M>, opts?: CallOptions) => Promise<ResultOf<M>> };

/** The typed calls of methods the table marks idempotent: what may be sent again after a reconnect. */
export type IdempotentCalls = Pick<TypedCalls, CamelCase<IdempotentMethod>>;

export interface CallOptions {
  timeoutMs?: number | null;
}

export interface ProcdClient extends TypedCalls {
  /** Calls a method by its wire name. */
  call<M extends MethodName>(method: M, params?: ParamsIn<M>, opts?: CallOptions): Promise<ResultOf<M>>;
  /** Server notifications (events) on this connection. */
  onNotification(listener: (method: string, params: unknown) => void): void;
  onClose(listener: () => void): void;
  /** The daemon's handshake answer. */
  readonly daemon: HelloResult;
  /** Set when the daemon runs another procd version than this client. */
  readonly versionWarning: string | null;
  close(): void;
}

const DEFAULT_CALL_TIMEOUT_MS = 30_000;

export async function connect(options: ConnectOptions = {}): Promise<ProcdClient> {
  // Only the socket is needed to connect; the data and log directories only to autostart.
  const socket = options.paths?.socket ?? resolveSocket().socket;
  const fullPaths = async () => options.paths ?? (await import('../shared/paths.js')).resolvePaths();
  const autostart = options.autostart ?? !isTruthy(process.env.PROCD_NO_AUTOSTART);
  const startTimeoutMs = options.startTimeoutMs ?? (Number(process.env.PROCD_AUTOSTART_TIMEOUT) || 10_000);
  const defaultTimeout = options.callTimeoutMs === undefined ? DEFAULT_CALL_TIMEOUT_MS : options.callTimeoutMs;
  // A daemon that is dying (or just lost a start-up race) may accept and then close: try again once.
  let conn: RpcConnection;
  let daemon: HelloResult;
  let started = false;
  for (let attempt = 1; ; attempt++) {
    const opened = await open(socket, fullPaths, autostart, startTimeoutMs);
    conn = opened.conn;
    started ||= opened.started;
    try {
      daemon = (await conn.call('hello', { client: `procd-client/${VERSION}`, protocolVersion: PROTOCOL_VERSION }, defaultTimeout)) as HelloResult;
      break;
    } catch (err) {
      conn.close();
      const disconnected = err instanceof ProcdError && err.data.disconnected === true;
      if (!disconnected || attempt >= 3) throw err;
      await new Promise((r) => setTimeout(r, 100 * attempt));
    }
  }

  if (started && options.onAutostart) options.onAutostart({ pid: daemon.pid, logFile: (await fullPaths()).logFile });
  const mismatch = daemon.protocolVersion !== PROTOCOL_VERSION;
  const call = <M extends MethodName>(method: M, params?: ParamsIn<M>, opts?: CallOptions): Promise<ResultOf<M>> => {
    // Across protocol versions only the methods the table marks stable keep their shape.
    if (mismatch && !METHOD_SPECS[method].stable) return Promise.reject(versionMismatch(daemon, method));
    const timeout = opts?.timeoutMs === undefined ? extendedTimeout(method, params, defaultTimeout) : opts.timeoutMs;
    return conn.call(method, withDefaults(method, params), timeout) as Promise<ResultOf<M>>;
  };

  if (mismatch && !options.allowProtocolMismatch) {
    conn.close();
    throw versionMismatch(daemon);
  }
  const versionWarning =
    daemon.daemonVersion === VERSION
      ? null
      : `the daemon runs procd ${daemon.daemonVersion}, this client is ${VERSION}; run \`procd daemon restart\` to switch the daemon to ${VERSION} (jobs keep running)`;

  const client = {
    call,
    daemon,
    versionWarning,
    onNotification: (listener: (method: string, params: unknown) => void) => void conn.on('notification', listener),
    onClose: (listener: () => void) => void conn.on('close', listener),
    close: () => conn.close(),
  } as Record<string, unknown>;
  for (const name of Object.keys(METHOD_SPECS) as MethodName[]) {
    client[camelCase(name)] = (params?: ParamsIn<typeof name>, opts?: CallOptions) => call(name, params, opts);
  }
  return client as unknown as ProcdClient;
}

function versionMismatch(daemon: HelloResult, method?: MethodName): ProcdError {
  return new ProcdError(
    ErrorCode.VersionMismatch,
    `${method ? `${method}: ` : ''}the running daemon speaks protocol ${daemon.protocolVersion} (procd ${daemon.daemonVersion}); this client speaks ${PROTOCOL_VERSION} (procd ${VERSION}). ` +
      'Run `procd daemon restart` to switch to this version (running jobs are kept).',
    { daemonVersion: daemon.daemonVersion, clientVersion: VERSION, ...(method ? { method } : {}) },
  );
}

/** The connection, and whether this call had to start the daemon to get it. */
async function open(socket: string, fullPaths: () => Promise<ProcdPaths>, autostart: boolean, startTimeoutMs: number): Promise<{ conn: RpcConnection; started: boolean }> {
  checkSocketPathLength(socket);
  try {
    return { conn: await RpcConnection.open(socket), started: false };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') {
      throw new ProcdError(ErrorCode.DaemonUnavailable, `permission denied on the daemon socket ${socket}: it belongs to another user`, { socket, permissionDenied: true });
    }
    if (code !== 'ENOENT' && code !== 'ECONNREFUSED') throw err;
    if (!autostart) {
      throw new ProcdError(ErrorCode.DaemonUnavailable, `the procd daemon is not running (no answer on ${socket}); start it with \`procd daemon start\``, {
        socket,
        notRunning: true,
      });
    }
    // Loaded only here: spawning and waiting for a daemon is rare, and `procd ls` should start fast.
    const { startDaemonAndConnect } = await import('./autostart.js');
    return { conn: await startDaemonAndConnect(await fullPaths(), startTimeoutMs), started: true };
  }
}

/**
 * `track` without an `env` runs the job with this process's environment, as a shell would;
 * `adopt` sends this process's pid, so the daemon refuses its ancestors unless `force`.
 */
function withDefaults(method: MethodName, params: unknown): unknown {
  if (method === 'track' && isObject(params) && params.env === undefined) return { ...params, env: clientEnvironment() };
  if (method === 'adopt' && isObject(params) && params.callerPid === undefined) return { ...params, callerPid: process.pid };
  return params ?? {};
}

/** Calls that wait on purpose get their wait added to the default timeout (the table's `timeout` rule). */
function extendedTimeout(method: MethodName, params: unknown, base: number | null): number | null {
  const rule: TimeoutRule | undefined = (METHOD_SPECS[method] as { timeout?: TimeoutRule }).timeout;
  if (base === null || !rule) return base;
  const value = rule.param !== undefined && isObject(params) ? params[rule.param] : undefined;
  const ms = typeof value === 'number' ? value : undefined;
  if (ms === undefined && rule.unboundedWithout) return null;
  return base + (ms ?? 0) + (rule.plusMs ?? 0);
}

function camelCase(name: string): string {
  return name.replace(/\.(\w)/g, (_: string, c: string) => c.toUpperCase());
}

function isTruthy(value: string | undefined): boolean {
  return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}
