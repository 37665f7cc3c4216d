// Resource-update notifications, driven by the daemon instead of polling: which URIs the client
// watches is read off its own requests (`resources/subscribe` in the 2025 protocol,
// `subscriptions/listen` in 2026-07-28), a job's status and the job list are announced on the
// daemon's job events, and a watched log on new output (a long-poll `logs` read the daemon
// answers when output arrives).

import type { JSONRPCMessage, McpServer, Transport } from '@modelcontextprotocol/server';
import { ErrorCode, ProcdError } from '../../shared/errors.js';
import type { ProcdEvent } from '../../shared/events.js';
import type { ProcdClient } from '../index.js';
import { JOBS_URI, jobOfUri, logsUri, statusUri } from './resources.js';

/** The events that change what a status or the job list shows. */
const JOB_EVENT_KINDS = ['job.started', 'job.stopping', 'job.state', 'job.ready', 'job.progress', 'job.removed', 'flag.raised', 'flag.changed', 'flag.cleared', 'limit.exceeded'] as const;
const LIST_EVENT_KINDS: ReadonlySet<string> = new Set(['job.started', 'job.state', 'job.removed']);
/** How long one long-poll read of a watched log waits for new output (the daemon's maximum is 60 s). */
const LOG_POLL_MS = 30_000;
/** At most one update per log and this long: a chatty job must not flood the client. */
const LOG_UPDATE_GAP_MS = 1_000;
/** How often a stopped daemon is looked for while something is watched (without starting one). */
export const DAEMON_LOOK_MS = 1_000;

/** A transport that shows each inbound message to `see` before the SDK handles it, and says when it closed. */
export function observeInbound(inner: Transport, see: (message: JSONRPCMessage) => void, onClosed: () => void): Transport {
  const outer: Transport = {
    start: () => inner.start(),
    send: (message, options) => inner.send(message, options),
    close: () => inner.close(),
    ...(inner.setProtocolVersion ? { setProtocolVersion: (v: string) => inner.setProtocolVersion?.(v) } : {}),
    ...(inner.setSupportedProtocolVersions ? { setSupportedProtocolVersions: (v: string[]) => inner.setSupportedProtocolVersions?.(v) } : {}),
  };
  inner.onmessage = (message, extra) => {
    see(message);
    outer.onmessage?.(message, extra);
  };
  inner.onclose = () => {
    outer.onclose?.();
    onClosed();
  };
  inner.onerror = (error) => outer.onerror?.(error);
  return outer;
}

type Params = { uri?: unknown; notifications?: { resourceSubscriptions?: unknown }; requestId?: unknown };

/** The URIs the client watches, from its subscribe / unsubscribe / listen / cancel messages. */
export class WatchedResources {
  private readonly legacy = new Set<string>();
  private readonly listens = new Map<string | number, string[]>();
  constructor(private readonly onChange: () => void) {}

  see(message: JSONRPCMessage): void {
    if (!('method' in message)) return;
    const p = (message.params ?? {}) as Params;
    const id = 'id' in message ? message.id : undefined;
    if (message.method === 'resources/subscribe' && typeof p.uri === 'string') this.legacy.add(p.uri);
    else if (message.method === 'resources/unsubscribe' && typeof p.uri === 'string') this.legacy.delete(p.uri);
    else if (message.method === 'subscriptions/listen' && id !== undefined) {
      const uris = p.notifications?.resourceSubscriptions;
      if (Array.isArray(uris)) this.listens.set(id, uris.filter((u): u is string => typeof u === 'string'));
    } else if (message.method === 'notifications/cancelled' && (typeof p.requestId === 'string' || typeof p.requestId === 'number')) this.listens.delete(p.requestId);
    else return;
    this.onChange();
  }

  has(uri: string): boolean {
    return this.legacy.has(uri) || [...this.listens.values()].some((uris) => uris.includes(uri));
  }

  all(): Set<string> {
    return new Set([...this.legacy, ...[...this.listens.values()].flat()]);
  }
}

/** Sends resources/updated for what the daemon says changed, while `watched` wants it. */
export class ResourceUpdater {
  private server: McpServer | null = null;
  private subscribed: Promise<void> | null = null;
  private readonly logLoops = new Map<string, { stop: boolean }>();
  private closed = false;
  private lookTimer: NodeJS.Timeout | null = null;
  /** The daemon followed before stopped: what is watched may have changed meanwhile. */
  private lostDaemon = false;

  /** `running`: whether a daemon answers now, never starting one (looked at while a stopped daemon is awaited). */
  constructor(
    private readonly client: () => Promise<ProcdClient>,
    readonly watched: WatchedResources,
    private readonly running: () => Promise<boolean> = async () => false,
  ) {}

  attach(server: McpServer): void {
    this.server = server;
  }

  /** The watched set changed: follow the daemon's events once anything is watched, and each watched log. */
  refresh(): void {
    const uris = this.watched.all();
    if (uris.size && !this.subscribed) this.subscribed = this.followEvents().catch((err: unknown) => this.report(err));
    for (const uri of uris) {
      const job = jobOfUri(uri);
      if (job?.what === 'logs' && !this.logLoops.has(uri)) this.followLog(uri, job.id);
    }
    for (const [uri, loop] of this.logLoops) if (!uris.has(uri)) loop.stop = true;
  }

  close(): void {
    this.closed = true;
    if (this.lookTimer) clearTimeout(this.lookTimer);
    for (const loop of this.logLoops.values()) loop.stop = true;
  }

  private send(uri: string): void {
    if (this.closed || !this.server || !this.watched.has(uri)) return;
    this.server.server.sendResourceUpdated({ uri }).catch((err: unknown) => this.report(err));
  }

  private async followEvents(): Promise<void> {
    const c = await this.client();
    // A daemon stopped for good closes this client. Its user may start the next one: it is looked for
    // (never started: that would undo the user's stop) and followed once it answers.
    c.onClose(() => {
      this.subscribed = null;
      this.lostDaemon = true;
      this.awaitDaemon();
    });
    c.onEvent((event: ProcdEvent) => {
      if (!('job' in event) || event.job === undefined || event.job === null || typeof event.job !== 'object') return;
      const id = (event.job as { id: number }).id;
      this.send(statusUri(id));
      if (LIST_EVENT_KINDS.has(event.kind)) this.send(JOBS_URI);
      if (event.kind === 'job.started') {
        this.send(logsUri(id));
        // A watched log whose reader ended (the job was not there yet, or its run ended) reads again.
        this.refresh();
      }
    });
    await c.call('subscribe', { kinds: [...JOB_EVENT_KINDS] }).catch((err: unknown) => {
      // A daemon from before job.removed refuses the kind: follow the others (a removal then shows at the next change).
      if (!(err instanceof ProcdError && err.code === ErrorCode.InvalidParams)) throw err;
      return c.call('subscribe', { kinds: JOB_EVENT_KINDS.filter((k) => k !== 'job.removed') });
    });
    // Following the next daemon: what was watched may have changed while none ran (jobs ended with
    // the stop, others started before this subscribe): each watched resource is announced once.
    if (this.lostDaemon) {
      this.lostDaemon = false;
      for (const uri of this.watched.all()) this.send(uri);
    }
  }

  /** Long-polls the end of the job's output: each read returns when new output arrives (or after LOG_POLL_MS). */
  private followLog(uri: string, id: number): void {
    const loop = { stop: false };
    this.logLoops.set(uri, loop);
    const run = async () => {
      const c = await this.client();
      while (!loop.stop && !this.closed) {
        const r = await c.logs({ job: id, tailLines: 0, waitMs: LOG_POLL_MS, maxBytes: 1 });
        if (loop.stop || this.closed) break;
        if (r.chunks.length) {
          this.send(uri);
          await new Promise((resolve) => setTimeout(resolve, LOG_UPDATE_GAP_MS).unref());
        }
        if (r.eof) break;
      }
    };
    run()
      .catch((err: unknown) => this.report(err))
      .finally(() => {
        if (this.logLoops.get(uri) === loop) this.logLoops.delete(uri);
      });
  }

  /** While something is watched, looks for a daemon every DAEMON_LOOK_MS and follows it once one answers. */
  private awaitDaemon(): void {
    if (this.closed || this.lookTimer || !this.watched.all().size) return;
    this.lookTimer = setTimeout(() => {
      this.running().then(
        (up) => {
          this.lookTimer = null;
          if (up) this.refresh();
          else this.awaitDaemon();
        },
        () => {
          this.lookTimer = null;
          this.awaitDaemon();
        },
      );
    }, DAEMON_LOOK_MS).unref();
  }

  private report(err: unknown): void {
    if (!this.closed) process.stderr.write(`procd mcp: resource updates: ${(err as Error).message ?? String(err)}\n`);
  }
}
