// GET /api/events: the daemon's events as server-sent events. Each stream has its own daemon
// connection, subscribed from the browser's last event (`afterSeq`, or the Last-Event-ID header an
// EventSource sends when it reconnects), so the daemon's replay buffer does the resuming; the
// library's reconnecting client rides out a daemon restart and resumes after the last seq it saw.
// When the daemon stays away the stream ends and the browser reconnects by itself.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ProcdEvent } from '../../shared/events.js';
import type { ParamsIn } from '../../shared/methods.js';
import { connect, isDaemonGone, type ProcdClient } from '../index.js';
import { daemonNotRunning } from './daemon-link.js';
import { HttpError } from './http-error.js';
import { EVENTS_QUERY, queryParams } from './routes.js';

/** Unsent bytes a slow reader may hold before its stream ends (it resumes from where it was). */
const MAX_PENDING_BYTES = 4 << 20;

export interface EventStreamOptions {
  connectDaemon: () => Promise<ProcdClient>;
  heartbeatMs: number;
}

/** The subscribe params for a stream request; a bad value is a 400. */
export function streamParams(query: URLSearchParams, lastEventId: string | undefined): ParamsIn<'subscribe'> {
  const params = queryParams(EVENTS_QUERY, query) as ParamsIn<'subscribe'>;
  if (lastEventId !== undefined && lastEventId !== '') {
    if (!/^\d{1,15}$/.test(lastEventId)) throw new HttpError(400, 'InvalidParams', 'Last-Event-ID must be an event seq', { field: 'Last-Event-ID' });
    // The header is the browser's own resume point: it wins over the URL it first opened.
    params.afterSeq = Number(lastEventId);
  }
  return params;
}

/** One SSE frame: `id` is the event's seq (what Last-Event-ID sends back), data its JSON. */
export function sseFrame(event: ProcdEvent): string {
  return `id: ${event.seq}\ndata: ${JSON.stringify(event)}\n\n`;
}

export async function serveEvents(req: IncomingMessage, res: ServerResponse, query: URLSearchParams, options: EventStreamOptions): Promise<void> {
  const params = streamParams(query, header(req, 'last-event-id'));
  // Watch for the client going away before awaiting anything: a close during the connect would
  // otherwise be missed, leaving the daemon connection, its subscription and the heartbeat open for ever.
  let gone = false;
  let end: () => void = () => {};
  const onGone = () => {
    gone = true;
    end();
  };
  req.once('close', onGone);
  res.once('close', onGone);
  let client: ProcdClient;
  try {
    client = await options.connectDaemon();
  } catch (err) {
    if (!isDaemonGone(err) || gone || res.destroyed) throw err;
    return sendUnavailable(res);
  }
  if (gone || res.destroyed) {
    client.close();
    return;
  }
  let ended = false;
  end = () => {
    if (ended) return;
    ended = true;
    clearInterval(heartbeat);
    off();
    client.close();
    res.end();
  };
  // Events that come before the subscribe's answer (the replay) wait until the headers are out.
  let early: string[] | null = [];
  const write = (text: string) => {
    if (ended) return;
    if (early) return void early.push(text);
    res.write(text);
    if (res.writableLength > MAX_PENDING_BYTES) end();
  };
  const off = client.onEvent((event) => write(sseFrame(event)));
  client.onClose(() => end());
  const heartbeat = setInterval(() => write(': heartbeat\n\n'), options.heartbeatMs);
  let subscribed: ResultSeq;
  try {
    subscribed = await client.subscribe(params);
  } catch (err) {
    const wasEnded = ended;
    ended = true;
    clearInterval(heartbeat);
    off();
    client.close();
    if (wasEnded) return; // the client left meanwhile: nobody to answer
    throw err;
  }
  if (ended) return;
  res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'X-Accel-Buffering': 'no', Connection: 'keep-alive' });
  // `retry`: how soon the browser reconnects; `ready` says the subscription stands (events after seq follow).
  const first = [`retry: 1000\nevent: ready\ndata: ${JSON.stringify({ seq: subscribed.seq, afterSeq: params.afterSeq ?? null })}\n\n`, ...early];
  early = null;
  write(first.join(''));
}

type ResultSeq = { seq: number };

/** How soon a browser asks again while the daemon is down. */
export const UNAVAILABLE_RETRY_MS = 2000;

/**
 * No daemon answers: one `unavailable` event (the 503 body's error) and the end of the stream. An
 * EventSource gives up for good on a non-200 answer, but reconnects by itself after a stream ends,
 * so the page keeps asking every UNAVAILABLE_RETRY_MS and shows why it waits.
 */
function sendUnavailable(res: ServerResponse): void {
  const body = `retry: ${UNAVAILABLE_RETRY_MS}\nevent: unavailable\ndata: ${JSON.stringify(daemonNotRunning().body().error)}\n\n`;
  res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'X-Accel-Buffering': 'no', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * The default daemon connection of a stream: named in `procd audit`, riding out a daemon restart
 * (~3 s of backoff), never autostarting a daemon its user stopped (daemon-link.ts).
 */
export function streamConnection(): Promise<ProcdClient> {
  return connect({ autostart: false, reconnect: { attempts: 5 }, clientName: 'procd-dashboard', via: 'dashboard events' });
}
