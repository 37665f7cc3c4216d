// One handshaken connection to the daemon: socket (autostarting a daemon when allowed), hello,
// the protocol version check, and typed calls with the table's timeouts and the library's
// defaults for `track`. A reconnecting client (client-core.ts) opens a new one after a restart.

import { ErrorCode, ProcdError } from '../shared/errors.js';
import { isObject } from '../shared/rpc.js';
import { METHOD_SPECS, PROTOCOL_VERSION, type HelloResult, type MethodName } from '../shared/methods.js';
import type { TimeoutRule } from '../shared/method-spec.js';
import type { ProcdPaths } from '../shared/paths.js';
import { checkSocketPathLength } from '../shared/socket-path.js';
import { VERSION } from '../shared/version.js';
import { clientEnvironment } from './client-env.js';
import { RpcConnection } from './rpc-connection.js';
import { parentProcessName } from './parent-name.js';
import { askedOwner, OWNER_ENV, OwnerEnvError } from '../shared/owner.js';

export interface SessionSettings {
  socket: string;
  fullPaths: () => Promise<ProcdPaths>;
  autostart: boolean;
  startTimeoutMs: number;
  defaultTimeout: number | null;
  allowProtocolMismatch: boolean;
  /** Who this client says it is in `hello` (the daemon's audit log shows it): a name, and what it does for its user. */
  clientName?: string | undefined;
  via?: string | undefined;
  /** Told when opening this session had to start the daemon (its pid, its log). */
  onAutostart?: ((info: { pid: number; logFile: string }) => void) | undefined;
}

export interface Session {
  conn: RpcConnection;
  daemon: HelloResult;
  /** Sends one call (never again: retrying is the caller's decision). */
  call(method: MethodName, params: unknown, timeoutMs?: number | null): Promise<unknown>;
}

/** A read-only call sent right behind hello, before its answer (see openSession). */
export interface PrefetchCall {
  method: MethodName;
  params?: unknown;
}

/**
 * Opens a session. `prefetch`: read-only calls (the table's `mutates: false`) sent right behind
 * hello without waiting for its answer — the daemon handles a connection's frames in order, so
 * they run after hello — which saves `procd ls` a round trip. A later call with the same method
 * and params (and no timeout of its own) takes that answer, once; across protocol versions it is
 * refused as any other call is (only `stable` methods cross them), and a mismatch still ends the
 * session with VersionMismatch. A reconnecting client opens its later sessions without them.
 */
export async function openSession(settings: SessionSettings, prefetch: readonly PrefetchCall[] = []): Promise<Session> {
  const { socket, fullPaths, autostart, startTimeoutMs, defaultTimeout } = settings;
  for (const p of prefetch) {
    if (METHOD_SPECS[p.method].mutates) throw new ProcdError(ErrorCode.InvalidParams, `prefetch: ${p.method} changes the daemon's state; only read-only calls are sent ahead of hello`, { method: p.method });
  }
  // A daemon that is dying (or just lost a start-up race) may accept and then close: try again once.
  let conn: RpcConnection;
  let daemon: HelloResult;
  let started = false;
  let prefetched = new Map<string, Promise<unknown>>();
  for (let attempt = 1; ; attempt++) {
    const opened = await open(socket, fullPaths, autostart, startTimeoutMs);
    conn = opened.conn;
    started ||= opened.started;
    try {
      // hello is written first (handshake sends it before its first await), the prefetched calls behind it.
      const answered = handshake(conn, settings);
      prefetched = sendAhead(conn, prefetch, defaultTimeout);
      daemon = await answered;
      break;
    } catch (err) {
      conn.close();
      const disconnected = err instanceof ProcdError && err.data.disconnected === true;
      if (!disconnected || attempt >= 3) throw err;
      await new Promise((r) => setTimeout(r, 100 * attempt));
    }
  }
  if (started && settings.onAutostart) settings.onAutostart({ pid: daemon.pid, logFile: (await fullPaths()).logFile });
  const mismatch = daemon.protocolVersion !== PROTOCOL_VERSION;
  if (mismatch && !settings.allowProtocolMismatch) {
    conn.close();
    throw versionMismatch(daemon);
  }
  const session: Session = {
    conn,
    daemon,
    call: (method, params, timeoutMs) => {
      // Across protocol versions only the methods the table marks stable keep their shape.
      if (mismatch && !METHOD_SPECS[method].stable) return Promise.reject(versionMismatch(daemon, method));
      const ahead = timeoutMs === undefined && prefetched.size ? takeAhead(prefetched, method, params) : undefined;
      if (ahead) return ahead;
      const timeout = timeoutMs === undefined ? extendedTimeout(method, params, defaultTimeout) : timeoutMs;
      return conn.call(method, withDefaults(method, params), timeout);
    },
  };
  return session;
}

/** Sends the prefetched calls; their answers wait, keyed by method and params as sent, for the calls that want them. */
function sendAhead(conn: RpcConnection, prefetch: readonly PrefetchCall[], defaultTimeout: number | null): Map<string, Promise<unknown>> {
  const sent = new Map<string, Promise<unknown>>();
  for (const { method, params } of prefetch) {
    const wire = withDefaults(method, params);
    const answer = conn.call(method, wire, extendedTimeout(method, params, defaultTimeout));
    // An answer nobody asks for (a version mismatch, a dropped connection) is not an unhandled rejection.
    answer.catch(() => undefined);
    sent.set(aheadKey(method, wire), answer);
  }
  return sent;
}

function takeAhead(sent: Map<string, Promise<unknown>>, method: MethodName, params: unknown): Promise<unknown> | undefined {
  const key = aheadKey(method, withDefaults(method, params));
  const answer = sent.get(key);
  sent.delete(key);
  return answer;
}

const aheadKey = (method: MethodName, wire: unknown) => `${method} ${JSON.stringify(wire)}`;

/**
 * hello with who this client is. A daemon from before `pid`, `via` and `parentName` refuses them (its params are
 * strict): it gets the plain hello every version knows, so any client still reaches any daemon.
 */
async function handshake(conn: RpcConnection, settings: SessionSettings): Promise<HelloResult> {
  const plain = { client: settings.clientName ?? `procd-client/${VERSION}`, protocolVersion: PROTOCOL_VERSION };
  try {
    const parentName = parentProcessName();
    return (await conn.call('hello', { ...plain, pid: process.pid, ...(settings.via ? { via: settings.via } : {}), ...(parentName ? { parentName } : {}) }, settings.defaultTimeout)) as HelloResult;
  } catch (err) {
    if (!(err instanceof ProcdError && err.code === ErrorCode.InvalidParams)) throw err;
    return (await conn.call('hello', plain, settings.defaultTimeout)) as HelloResult;
  }
}

function versionMismatch(daemon: HelloResult, method?: MethodName): ProcdError {
  return new ProcdError(
    ErrorCode.VersionMismatch,
    `${method ? `${method}: ` : ''}the running daemon speaks protocol ${daemon.protocolVersion} (procd ${daemon.daemonVersion}); this client speaks ${PROTOCOL_VERSION} (procd ${VERSION}). ` +
      'Run `procd daemon restart` to switch to this version (running jobs are kept).',
    { daemonVersion: daemon.daemonVersion, clientVersion: VERSION, ...(method ? { method } : {}) },
  );
}

/** The connection, and whether opening it had to start the daemon. */
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
 * `track` runs the job as a shell would run it from here: without `env`, with this process's
 * environment; without `cwd`, in this process's current directory (the daemon cannot know it).
 * `adopt` (and `kill` with `adopt`) sends this process's pid, so the daemon refuses its ancestors unless `force`.
 */
export function withDefaults(method: MethodName, params: unknown): unknown {
  // The owner of what a client starts: the one it names, else PROCD_OWNER (else the daemon takes the client's name).
  const owner = isObject(params) ? ownerToSend(params.owner) : undefined;
  const owned = owner === undefined ? {} : { owner };
  if (method === 'track' && isObject(params)) return { ...params, env: params.env ?? clientEnvironment(), cwd: params.cwd ?? process.cwd(), ...owned };
  if (method === 'adopt' && isObject(params)) return { ...params, callerPid: params.callerPid ?? process.pid, ...owned };
  if (method === 'kill' && isObject(params) && params.adopt === true) return { ...params, callerPid: params.callerPid ?? process.pid };
  return params ?? {};
}

function ownerToSend(given: unknown): string | undefined {
  try {
    return askedOwner(given, process.env);
  } catch (err) {
    if (err instanceof OwnerEnvError) throw new ProcdError(ErrorCode.InvalidParams, err.message, { field: `env.${OWNER_ENV}` });
    throw err;
  }
}

/** Calls that wait on purpose get their wait added to the default timeout (the table's `timeout` rule). */
export function extendedTimeout(method: MethodName, params: unknown, base: number | null): number | null {
  const rule: TimeoutRule | undefined = (METHOD_SPECS[method] as { timeout?: TimeoutRule }).timeout;
  if (base === null || !rule) return base;
  const value = rule.param !== undefined && isObject(params) ? params[rule.param] : undefined;
  const ms = typeof value === 'number' ? value : undefined;
  if (ms === undefined && rule.unboundedWithout) return null;
  return base + (ms ?? rule.paramDefaultMs ?? 0) + (rule.plusMs ?? 0);
}

/** A call sent again after a reconnect waits only for what is left of its own wait (`timeoutMs`, `waitMs`). */
export function remainingParams(method: MethodName, params: unknown, elapsedMs: number): unknown {
  const rule: TimeoutRule | undefined = (METHOD_SPECS[method] as { timeout?: TimeoutRule }).timeout;
  if (!rule?.param || !isObject(params) || typeof params[rule.param] !== 'number') return params;
  return { ...params, [rule.param]: Math.max(0, (params[rule.param] as number) - elapsedMs) };
}
