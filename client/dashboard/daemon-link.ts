// The dashboard's connection for API calls. The first `procd dashboard` may start the daemon (as
// every command does); after that the dashboard never starts one: a user who stopped the daemon
// meant it. While no daemon answers, calls fail at once with 503 DaemonNotRunning (the page shows
// a banner and waits), and the next call after the daemon is back connects again by itself.

import { ErrorCode, ProcdError } from '../../shared/errors.js';
import type { MethodName, ParamsIn, ResultOf } from '../../shared/methods.js';
import { isDaemonGone, type ProcdClient } from '../index.js';
import { HttpError } from './http-error.js';

/** What the page and scripts get while the daemon is down. */
export function daemonNotRunning(): HttpError {
  return new HttpError(503, 'DaemonNotRunning', 'the procd daemon is not running; start it with `procd daemon start` (the dashboard does not start a daemon that was stopped; the page reconnects by itself once it is back)', { notRunning: true });
}

export class DaemonLink {
  private current: ProcdClient | null;
  private pending: Promise<ProcdClient> | null = null;
  private lastVersion: string | null;

  /** `first`: the connection made at start (it may have autostarted); `reconnect` never autostarts. */
  constructor(
    first: ProcdClient | null,
    private readonly reconnect: () => Promise<ProcdClient>,
  ) {
    this.current = null;
    this.lastVersion = first?.daemon.daemonVersion ?? null;
    if (first) this.use(first);
  }

  /** The daemon's version as last seen (null before any connection). */
  get daemonVersion(): string | null {
    return this.lastVersion;
  }

  async call<M extends MethodName>(method: M, params: ParamsIn<M>, again = true): Promise<ResultOf<M>> {
    const client = await this.client();
    try {
      return (await client.call(method, params as never)) as ResultOf<M>;
    } catch (err) {
      // Closed under this call (its connection ended for good meanwhile): once more on a fresh one.
      if (again && err instanceof ProcdError && err.code === ErrorCode.DaemonUnavailable && err.data.closed === true) {
        this.drop(client);
        return this.call(method, params, false);
      }
      if (!isDaemonGone(err)) throw err;
      // Its reconnects gave up: the next call starts from a fresh (non-autostarting) connect.
      this.drop(client);
      throw daemonNotRunning();
    }
  }

  close(): void {
    this.current?.close();
    this.current = null;
  }

  private async client(): Promise<ProcdClient> {
    if (this.current) return this.current;
    this.pending ??= this.reconnect().finally(() => (this.pending = null));
    try {
      const c = await this.pending;
      if (this.current !== c) this.use(c);
      return c;
    } catch (err) {
      if (isDaemonGone(err)) throw daemonNotRunning();
      throw err;
    }
  }

  private use(c: ProcdClient): void {
    this.current = c;
    this.lastVersion = c.daemon.daemonVersion;
    c.onClose(() => this.drop(c));
  }

  private drop(c: ProcdClient): void {
    if (this.current !== c) return;
    this.current = null;
    c.close();
  }
}
