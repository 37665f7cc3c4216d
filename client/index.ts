// The procd client library: `connect()` gives one typed method per RPC method of the shared
// table, typed events (listener or async iterator), and with `reconnect: true` a client that
// rides out daemon restarts. It pulls in nothing CLI-specific, and no schema library: the types
// come from the schemas at compile time, the timeouts and retry rules from the table
// (shared/methods.ts).

import type { ProcdEvent } from '../shared/events.js';
import { METHOD_SPECS, type HelloResult, type IdempotentMethod, type MethodName, type ParamsIn, type ResultOf } from '../shared/methods.js';
import type { ProcdPaths } from '../shared/paths.js';
import { resolveSocket } from '../shared/socket-path.js';
import { VERSION } from '../shared/version.js';
import { ClientCore } from './client-core.js';
import { eventIterator } from './event-iterator.js';
import type { RetryOptions } from './reconnect.js';
import { openSession, type SessionSettings } from './session.js';

export { ErrorCode, ProcdError } from '../shared/errors.js';
export type * from '../shared/job.js';
export type { EventJob, EventKind, EventOf, ProcdEvent } from '../shared/events.js';
export type { DaemonStatus, HelloResult, IdempotentMethod, KillResult, LogChunk, LogsResult, MethodName, ParamsIn, ParamsOf, ResultOf, WaitResult } from '../shared/methods.js';
export { isDaemonGone, type RetryOptions } from './reconnect.js';

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
  /** The name this client gives in `hello`, shown by `procd audit` (default `procd-client/VERSION`). */
  clientName?: string;
  /** What it does for its user, shown by `procd audit` beside the name (the CLI sends its command, e.g. `up`). */
  via?: string;
  /** Called once when this connect had to start the daemon (the CLI tells a user at a terminal). */
  onAutostart?: (info: AutostartInfo) => void;
  /**
   * Ride out daemon restarts (`procd daemon restart`, a crash and autostart): calls the method
   * table marks idempotent (wait, status, logs, list, ...) are sent again on a new connection,
   * waiting only for what is left of their own wait; other calls are sent on a new connection
   * when the old one dropped before they were sent, and fail with DaemonUnavailable
   * (`data.inFlight`) when it dropped while they were under way (they may have been carried
   * out); a subscription resumes after the last event it saw, without loss or repeats. It ends
   * (onClose) when the daemon announced a stop that ends its jobs. `true` uses the CLI's backoff
   * (10 attempts, ~13 s); pass RetryOptions to tune it.
   */
  reconnect?: boolean | RetryOptions;
  /**
   * Read-only calls (the method table's `mutates: false`; others are refused) sent right behind
   * hello, without waiting for its answer: the first call later made with the same method and
   * params gets their answer, one round trip sooner (`procd ls` sends its `list` this way).
   * Version checks apply as to any call. Only the first connection sends them, not a reconnect.
   */
  prefetch?: PrefetchCall[];
}

/** A call connect() sends ahead (ConnectOptions.prefetch). */
export type PrefetchCall = { [M in MethodName]: { method: M; params?: CallParams<M> } }[MethodName];

/** The daemon a connect started: its pid and the log it writes. */
export interface AutostartInfo {
  pid: number;
  logFile: string;
}

type CamelCase<S extends string> = S extends `${infer A}.${infer B}` ? `${A}${Capitalize<CamelCase<B>>}` : S;

/** `track` may leave out `cwd` and `env`: the library sends its caller's (the wire needs `cwd`). */
export type TrackParams = Omit<ParamsIn<'track'>, 'cwd'> & { cwd?: string };
/** Params as the library's calls take them. */
export type CallParams<M extends MethodName> = M extends 'track' ? TrackParams : ParamsIn<M>;

type TypedCalls = { [M in MethodName as CamelCase<M>]: (params?: CallParams<M>, opts?: CallOptions) => Promise<ResultOf<M>> };

/** The typed calls of methods the table marks idempotent: what may be sent again after a reconnect. */
export type IdempotentCalls = Pick<TypedCalls, CamelCase<IdempotentMethod>>;

export interface CallOptions {
  timeoutMs?: number | null;
}

export interface ProcdClient extends TypedCalls {
  /** Calls a method by its wire name. */
  call<M extends MethodName>(method: M, params?: CallParams<M>, opts?: CallOptions): Promise<ResultOf<M>>;
  /** Every event this client receives once subscribed (`subscribe`, or `events()`). Returns a function that removes the listener. */
  onEvent(listener: (event: ProcdEvent) => void): () => void;
  /**
   * Subscribes (with `filter`; without one, to everything unless this client already subscribed)
   * and yields events until the client closes or the loop breaks.
   */
  events(filter?: ParamsIn<'subscribe'>): AsyncIterableIterator<ProcdEvent>;
  /** @deprecated Use onEvent: every notification the daemon sends is an "event". */
  onNotification(listener: (method: string, params: unknown) => void): () => void;
  /** Called once the client is closed for good (with why, when reconnecting gave up). Returns a function that removes the listener. */
  onClose(listener: (err: Error | null) => void): () => void;
  /** The daemon's handshake answer (of the current connection). */
  readonly daemon: HelloResult;
  /** Set when the daemon runs another procd version than this client. */
  readonly versionWarning: string | null;
  close(): void;
}

const DEFAULT_CALL_TIMEOUT_MS = 30_000;

export async function connect(options: ConnectOptions = {}): Promise<ProcdClient> {
  // Only the socket is needed to connect; the data and log directories only to autostart.
  const settings: SessionSettings = {
    socket: options.paths?.socket ?? resolveSocket().socket,
    fullPaths: async () => options.paths ?? (await import('../shared/paths.js')).resolvePaths(),
    autostart: options.autostart ?? !isTruthy(process.env.PROCD_NO_AUTOSTART),
    startTimeoutMs: options.startTimeoutMs ?? (Number(process.env.PROCD_AUTOSTART_TIMEOUT) || 10_000),
    defaultTimeout: options.callTimeoutMs === undefined ? DEFAULT_CALL_TIMEOUT_MS : options.callTimeoutMs,
    allowProtocolMismatch: options.allowProtocolMismatch ?? false,
    onAutostart: options.onAutostart,
    clientName: options.clientName,
    via: options.via,
  };
  const first = await openSession(settings, options.prefetch);
  const retry = typeof options.reconnect === 'object' ? options.reconnect : {};
  const core = new ClientCore(settings, first, options.reconnect !== undefined && options.reconnect !== false, retry);
  const call = <M extends MethodName>(method: M, params?: CallParams<M>, opts?: CallOptions): Promise<ResultOf<M>> =>
    core.call(method, params as ParamsIn<M> | undefined, opts?.timeoutMs);

  const client = {
    call,
    get daemon() {
      return core.daemon;
    },
    get versionWarning() {
      const daemon = core.daemon;
      return daemon.daemonVersion === VERSION
        ? null
        : `the daemon runs procd ${daemon.daemonVersion}, this client is ${VERSION}; run \`procd daemon restart\` to switch the daemon to ${VERSION} (jobs keep running)`;
    },
    onEvent: (listener: (event: ProcdEvent) => void) => core.onEvent(listener),
    events: (filter?: ParamsIn<'subscribe'>) => {
      const subscribed = filter !== undefined || !core.subscribed ? call('subscribe', filter ?? {}) : Promise.resolve();
      return eventIterator(core, subscribed);
    },
    onNotification: (listener: (method: string, params: unknown) => void) => core.onNotification(listener),
    onClose: (listener: (err: Error | null) => void) => core.onClose(listener),
    close: () => core.close(),
  } as Record<string, unknown>;
  for (const name of Object.keys(METHOD_SPECS) as MethodName[]) {
    client[camelCase(name)] = (params?: CallParams<typeof name>, opts?: CallOptions) => call(name, params, opts);
  }
  return client as unknown as ProcdClient;
}

function camelCase(name: string): string {
  return name.replace(/\.(\w)/g, (_: string, c: string) => c.toUpperCase());
}

function isTruthy(value: string | undefined): boolean {
  return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}
