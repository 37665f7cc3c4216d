// What a ProcdClient does besides sending calls: it routes event notifications to typed
// listeners, and — with `reconnect: true` — outlives a daemon restart: idempotent calls (the
// method table says which) are sent again on a new connection, waiting only for what is left of
// their own wait; other calls are sent on a new connection only if the old one dropped before
// they were sent; and a subscription resumes from the last event seen (`afterSeq`), so no event
// is lost or repeated.

import { ErrorCode, ProcdError } from '../shared/errors.js';
import { EVENT_METHOD, type ProcdEvent } from '../shared/events.js';
import { METHOD_SPECS, type MethodName, type ParamsIn, type ResultOf } from '../shared/methods.js';
import { retryAcrossReconnects, type RetryOptions } from './reconnect.js';
import { openSession, remainingParams, type Session, type SessionSettings } from './session.js';

type SubscribeParams = ParamsIn<'subscribe'>;

interface Subscription {
  params: Omit<SubscribeParams, 'afterSeq'>;
  /** The last seq seen (a gap counts as its `to`): where a resumed subscription starts. */
  lastSeq: number;
  /** The daemon announced a stop that ends its jobs: nothing to resume. */
  daemonStopping: boolean;
  /** Asked for by the client itself, not its caller (see subscribe): not handed to listeners. */
  hidesShutdown: boolean;
}

export class ClientCore {
  private session: Session;
  private replacing: Promise<Session> | null = null;
  private closed = false;
  private closeError: Error | null = null;
  private subscription: Subscription | null = null;
  private readonly eventListeners = new Set<(event: ProcdEvent) => void>();
  private readonly closeListeners = new Set<(err: Error | null) => void>();
  private readonly rawListeners = new Set<(method: string, params: unknown) => void>();

  constructor(
    private readonly settings: SessionSettings,
    first: Session,
    private readonly reconnect: boolean,
    private readonly retry: RetryOptions = {},
  ) {
    this.session = first;
    this.attach(first);
  }

  get daemon(): Session['daemon'] {
    return this.session.daemon;
  }

  get subscribed(): boolean {
    return this.subscription !== null;
  }

  onEvent(listener: (event: ProcdEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => void this.eventListeners.delete(listener);
  }

  onNotification(listener: (method: string, params: unknown) => void): () => void {
    this.rawListeners.add(listener);
    return () => void this.rawListeners.delete(listener);
  }

  /** Called once the client is closed for good: close(), a dropped connection without reconnect, or reconnecting gave up (with why). */
  onClose(listener: (err: Error | null) => void): () => void {
    // Already closed: told at once (an iterator created now must end, not wait forever).
    if (this.closed) {
      queueMicrotask(() => listener(this.closeError));
      return () => undefined;
    }
    this.closeListeners.add(listener);
    return () => void this.closeListeners.delete(listener);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.session.conn.close();
    this.finish(null);
  }

  async call<M extends MethodName>(method: M, params: ParamsIn<M> | undefined, timeoutMs?: number | null): Promise<ResultOf<M>> {
    if (method === 'subscribe') return (await this.subscribe(params as SubscribeParams | undefined, timeoutMs)) as ResultOf<M>;
    if (!this.reconnect) return (await this.session.call(method, params, timeoutMs)) as ResultOf<M>;
    const startedAt = Date.now();
    if (METHOD_SPECS[method].idempotent) {
      return (await this.retrying((s) => s.call(method, remainingParams(method, params, Date.now() - startedAt), timeoutMs))) as ResultOf<M>;
    }
    // Not idempotent: sent at most once. A connection found closed before sending is replaced.
    return (await this.retrying(async (s) => {
      try {
        return await s.call(method, params, timeoutMs);
      } catch (err) {
        if (err instanceof ProcdError && err.data.disconnected === true) throw mayHaveRun(method);
        throw err;
      }
    })) as ResultOf<M>;
  }

  /** subscribe: remembered, so that a reconnecting client can resume it after a restart. */
  private async subscribe(params: SubscribeParams = {}, timeoutMs?: number | null): Promise<ResultOf<'subscribe'>> {
    const { afterSeq, ...asked } = params;
    // A reconnecting client must hear the daemon's shutdown to tell a stop (nothing to resume: do not
    // start the daemon its user stopped) from a restart, even when its caller filtered that kind out.
    const hidesShutdown = this.reconnect && asked.kinds !== undefined && !asked.kinds.includes('daemon.shutdown');
    const filter = hidesShutdown ? { ...asked, kinds: [...asked.kinds!, 'daemon.shutdown' as const] } : asked;
    const sub: Subscription = { params: filter, lastSeq: afterSeq ?? 0, daemonStopping: false, hidesShutdown };
    this.subscription = sub;
    // Sent again after a drop, it asks for what came after the last event that did arrive.
    const again = (s: Session) => s.call('subscribe', sub.lastSeq > 0 ? { ...filter, afterSeq: sub.lastSeq } : { ...filter, ...(afterSeq !== undefined ? { afterSeq } : {}) }, timeoutMs);
    const r = (await (this.reconnect ? this.retrying(again) : this.session.call('subscribe', params, timeoutMs))) as ResultOf<'subscribe'>;
    // Names resolve once: a resumed subscription follows the same jobs.
    if (r.jobs) sub.params = { ...sub.params, jobs: r.jobs };
    sub.lastSeq = Math.max(sub.lastSeq, r.seq);
    return r;
  }

  private retrying<T>(op: (s: Session) => Promise<T>): Promise<T> {
    let used = this.session;
    return retryAcrossReconnects(
      {
        client: async () => used,
        reconnect: async () => (used = await this.replace(used)),
      },
      (s) => (s.conn.isClosed ? Promise.reject(gone()) : op(s)),
      this.retry,
    );
  }

  /** A new session instead of `old` — shared by every call that saw `old` fail. */
  private replace(old: Session): Promise<Session> {
    if (this.closed) return Promise.reject(new ProcdError(ErrorCode.DaemonUnavailable, 'the client was closed', { closed: true }));
    if (this.session !== old && !this.session.conn.isClosed) return Promise.resolve(this.session);
    this.replacing ??= openSession(this.settings)
      .then((s) => {
        old.conn.close();
        if (this.closed) {
          s.conn.close();
          throw new ProcdError(ErrorCode.DaemonUnavailable, 'the client was closed', { closed: true });
        }
        this.session = s;
        this.attach(s);
        return s;
      })
      .finally(() => (this.replacing = null));
    return this.replacing;
  }

  private attach(session: Session): void {
    session.conn.on('notification', (method, params) => {
      if (session !== this.session) return;
      for (const l of this.rawListeners) l(method, params);
      if (method === EVENT_METHOD) this.onEventFrame(params as ProcdEvent);
    });
    session.conn.on('close', () => {
      if (session === this.session && !this.closed) this.onSessionClosed();
    });
  }

  private onEventFrame(event: ProcdEvent): void {
    const sub = this.subscription;
    if (sub) {
      sub.lastSeq = Math.max(sub.lastSeq, event.seq);
      if (event.kind === 'daemon.shutdown') {
        sub.daemonStopping = !event.keepJobs;
        if (sub.hidesShutdown) return;
      }
    }
    for (const l of this.eventListeners) l(event);
  }

  private onSessionClosed(): void {
    const sub = this.subscription;
    const next = afterDisconnect(this.reconnect, sub);
    if (next === 'close') return this.finish(null);
    if (next === 'idle' || !sub) return;
    this.retrying((s) => s.call('subscribe', { ...sub.params, afterSeq: sub.lastSeq })).then(
      (r) => void (sub.lastSeq = Math.max(sub.lastSeq, (r as ResultOf<'subscribe'>).seq)),
      (err: unknown) => {
        if (!this.closed) this.finish(err instanceof Error ? err : new Error(String(err)));
      },
    );
  }

  private finish(err: Error | null): void {
    this.closed = true;
    this.closeError = err;
    this.session.conn.close();
    for (const l of [...this.closeListeners]) l(err);
    this.closeListeners.clear();
  }
}

/**
 * What a dropped connection means: the end of a client that does not reconnect, or of a
 * subscription whose daemon announced a stop that ends its jobs; a resume for a subscription;
 * nothing yet for a client without one (nothing is lost meanwhile: its next call reconnects).
 */
export function afterDisconnect(reconnect: boolean, sub: Pick<Subscription, 'daemonStopping'> | null): 'close' | 'resume' | 'idle' {
  if (!reconnect) return 'close';
  if (!sub) return 'idle';
  return sub.daemonStopping ? 'close' : 'resume';
}

function gone(): ProcdError {
  return new ProcdError(ErrorCode.DaemonUnavailable, 'the connection to the daemon dropped', { disconnected: true });
}

function mayHaveRun(method: MethodName): ProcdError {
  return new ProcdError(
    ErrorCode.DaemonUnavailable,
    `${method}: the connection to the daemon dropped while the call was under way, so it may or may not have been carried out; it was not sent again (the method is not idempotent). Check with status or list.`,
    { method, inFlight: true },
  );
}

