// The dashboard's request handler: security headers on everything, then who is asking (token),
// then what (static page, session, event stream, API route), then for actions whether they may
// run (read-only, CSRF), then the daemon call. Every failure is a JSON error with a code; nothing
// a request does stops the server.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { ErrorCode, ProcdError } from '../../shared/errors.js';
import type { ParamsIn } from '../../shared/methods.js';
import { METRICS_CONTENT_TYPE, renderMetricsText, unreachableFamilies, type MetricFamily } from '../../shared/metrics.js';
import { VERSION } from '../../shared/version.js';
import { isDaemonGone, type ProcdClient } from '../index.js';
import type { Asset } from './assets-files.js';
import type { DaemonLink } from './daemon-link.js';
import { serveEvents } from './events-stream.js';
import { HttpError, toHttpError } from './http-error.js';
import { readJsonBody, sendError, sendJson, setSecurityHeaders } from './http-io.js';
import { matchRoute, METRICS_QUERY, queryParams, routeParams, type ApiRoute } from './routes.js';
import { actionProblem, authenticate, csrfToken, hostProblem, sessionCookie, type RequestFacts } from './security.js';

export interface DashboardSettings {
  token: string;
  /** The session cookie's value (never accepted as the token, nor the token as it). */
  sessionSecret: string;
  readOnly: boolean;
  /** The daemon connection API calls use (reconnecting, never autostarting). */
  daemon: DaemonLink;
  /** A new daemon connection for each event stream. */
  connectStream: () => Promise<ProcdClient>;
  /** A new daemon connection for each /metrics scrape (no autostart, no reconnect). */
  connectMetrics: () => Promise<ProcdClient>;
  assets: Map<string, Asset>;
  heartbeatMs: number;
  /** Event streams open at once at most (each holds a daemon connection). */
  maxStreams: number;
  /** How many are open (the server's own counter). */
  openStreams: { count: number };
  /** The Host names (with the port) a loopback-bound server answers to; null: any (a non-loopback --host). */
  hostNames: readonly string[] | null;
  /** Where unexpected errors are reported (never with a request's URL: it may hold the token). */
  log: (line: string) => void;
}

export function createDashboardServer(settings: DashboardSettings): Server {
  const server = createServer((req, res) => {
    handle(server, settings, req, res).catch((err: unknown) => {
      const httpErr = toHttpError(err);
      if (httpErr.status === 500) settings.log(`procd dashboard: ${req.method} ${safePath(req)} failed: ${(err as Error)?.stack ?? String(err)}`);
      sendError(res, httpErr);
    });
  });
  // A client that sends headers slowly or never finishes does not hold a socket for ever.
  server.headersTimeout = 20_000;
  server.requestTimeout = 60_000;
  return server;
}

async function handle(server: Server, s: DashboardSettings, req: IncomingMessage, res: ServerResponse): Promise<void> {
  setSecurityHeaders(res);
  const method = req.method ?? 'GET';
  const url = parseUrl(req.url);
  const port = (server.address() as { port: number } | null)?.port ?? 0;
  const facts = requestFacts(req, url);
  const badHost = s.hostNames ? hostProblem(facts.host, s.hostNames, port) : null;
  if (badHost) throw new HttpError(403, 'HostRefused', badHost);
  const auth = authenticate(facts, s, port);
  if (!auth.ok) {
    throw new HttpError(401, 'Unauthorized', `${auth.reason}: open the URL \`procd dashboard\` printed (it carries ?token=…), or send the header Authorization: Bearer TOKEN`);
  }
  if (auth.via === 'query') return redirectWithoutToken(res, url, port, s.sessionSecret);

  const path = url.pathname;
  const asset = s.assets.get(path);
  if (asset) return serveAsset(res, method, asset);
  if (path === '/api/session') {
    onlyGet(method);
    return sendJson(res, 200, { readOnly: s.readOnly, csrfToken: csrfToken(s.token), version: VERSION, daemonVersion: s.daemon.daemonVersion });
  }
  if (path === '/api/events') {
    if (method !== 'GET') throw new HttpError(405, 'MethodNotAllowed', `/api/events takes GET, not ${method}`, { allowed: ['GET'] });
    return serveLimitedEvents(req, res, s, url);
  }
  if (path === '/metrics') {
    onlyGet(method);
    return serveMetrics(res, s.connectMetrics, url.searchParams);
  }
  const match = matchRoute(method, path);
  if (match.kind === 'none') throw new HttpError(404, 'NotFound', `no such page or API route: ${path.slice(0, 200)} (GET /api/openapi.json lists the API)`);
  if (match.kind === 'wrong-method') throw new HttpError(405, 'MethodNotAllowed', `${path.slice(0, 200)} takes ${match.allowed.join(' or ')}, not ${method}`, { allowed: match.allowed });
  return serveRoute(req, res, s, match.route, match.id, url, facts, auth.via);
}

async function serveRoute(req: IncomingMessage, res: ServerResponse, s: DashboardSettings, route: ApiRoute, id: string | null, url: URL, facts: RequestFacts, via: 'bearer' | 'cookie' | 'query'): Promise<void> {
  if (route.action) {
    if (s.readOnly) throw new HttpError(403, 'ReadOnly', 'this dashboard was started with --read-only: it takes no actions');
    const problem = actionProblem(facts, via, s.token);
    if (problem) throw new HttpError(403, 'CsrfRefused', problem);
  }
  const body = route.body ? await readJsonBody(req) : null;
  const params = routeParams(route, id, url.searchParams, body);
  const result: unknown = await s.daemon.call(route.rpc, params as never);
  sendJson(res, route.rpc === 'track' ? 201 : 200, route.jobKey === 'jobs' ? oneJobAnswer(result) : result);
}

/**
 * A per-job method (kill, restart, pause, resume) answers a list, one entry per job asked; a route
 * names one job, so its answer is that entry — or, when it failed, the entry's error as the
 * status a web client expects (409 for a job that is not running, 404 for an unknown one).
 */
export function oneJobAnswer(result: unknown): unknown {
  const entry: unknown = Array.isArray(result) && result.length === 1 ? result[0] : result;
  if (typeof entry === 'object' && entry !== null && (entry as { ok?: unknown }).ok === false) {
    const err = (entry as { error?: { code?: unknown; message?: unknown; data?: unknown } }).error ?? {};
    const code = typeof err.code === 'number' ? err.code : -32603;
    throw new ProcdError(code, typeof err.message === 'string' ? err.message : 'the daemon refused', typeof err.data === 'object' && err.data !== null ? (err.data as Record<string, unknown>) : {});
  }
  return entry;
}

/** Event streams open at once (each holds a daemon connection): one more is a 503, not an exhausted daemon. */
async function serveLimitedEvents(req: IncomingMessage, res: ServerResponse, s: DashboardSettings, url: URL): Promise<void> {
  const max = s.maxStreams;
  if (s.openStreams.count >= max) throw new HttpError(503, 'TooManyStreams', `${max} event streams are open already; close a tab or another client`, { max });
  s.openStreams.count++;
  res.once('close', () => s.openStreams.count--);
  await serveEvents(req, res, url.searchParams, { connectDaemon: s.connectStream, heartbeatMs: s.heartbeatMs });
}

/**
 * `GET /metrics?top=N`: the daemon's metrics as Prometheus text, on a connection of its own that
 * neither autostarts nor waits out reconnects: with no daemon answering, `procd_up 0` at once
 * (a scraper sees it down within its scrape timeout, and a scrape never starts a daemon).
 */
export async function serveMetrics(res: ServerResponse, connectOnce: () => Promise<ProcdClient>, query: URLSearchParams): Promise<void> {
  const params = queryParams(METRICS_QUERY, query) as ParamsIn<'metrics'>;
  let families: readonly MetricFamily[];
  let client: ProcdClient | null = null;
  try {
    client = await connectOnce();
    families = (await client.metrics(params)).families;
  } catch (err) {
    if (!isDaemonGone(err) && !(err instanceof ProcdError && err.code === ErrorCode.DaemonUnavailable)) throw err;
    families = unreachableFamilies();
  } finally {
    client?.close();
  }
  const text = renderMetricsText(families);
  res.writeHead(200, { 'Content-Type': METRICS_CONTENT_TYPE, 'Content-Length': Buffer.byteLength(text) });
  res.end(res.req.method === 'HEAD' ? undefined : text);
}

function serveAsset(res: ServerResponse, method: string, asset: Asset): void {
  onlyGet(method);
  res.writeHead(200, { 'Content-Type': asset.type, 'Content-Length': asset.body.length });
  res.end(method === 'HEAD' ? undefined : asset.body);
}

/** The token came in the URL: set the cookie and send the browser to the same URL without it (out of history and logs). */
function redirectWithoutToken(res: ServerResponse, url: URL, port: number, sessionSecret: string): void {
  res.writeHead(303, { Location: locationWithoutToken(url), 'Set-Cookie': sessionCookie(port, sessionSecret), 'Content-Length': 0 });
  res.end();
}

/**
 * Where that redirect goes: this server's path, never another site. A request for `.//evil.com`
 * has the pathname `//evil.com`, which a browser reads as a scheme-relative URL (so would `/\evil.com`):
 * leading slashes collapse to one.
 */
export function locationWithoutToken(url: URL): string {
  const query = new URLSearchParams(url.searchParams);
  query.delete('token');
  const rest = query.toString();
  return `/${url.pathname.replace(/^[/\\]+/, '')}${rest ? `?${rest}` : ''}`;
}

function onlyGet(method: string): void {
  if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, 'MethodNotAllowed', `this path takes GET, not ${method}`, { allowed: ['GET'] });
}

function parseUrl(raw: string | undefined): URL {
  try {
    return new URL(raw ?? '/', 'http://dashboard.invalid');
  } catch {
    throw new HttpError(400, 'BadRequest', 'the request URL cannot be parsed');
  }
}

function requestFacts(req: IncomingMessage, url: URL): RequestFacts {
  const h = (name: string) => {
    const v = req.headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  return {
    method: req.method ?? 'GET',
    queryToken: url.searchParams.get('token'),
    authorization: h('authorization'),
    cookie: h('cookie'),
    csrfHeader: h('x-procd-token'),
    origin: h('origin'),
    secFetchSite: h('sec-fetch-site'),
    host: h('host'),
  };
}

/** The path without its query (which may carry the token), for error reports. */
function safePath(req: IncomingMessage): string {
  return (req.url ?? '').split('?')[0]!.slice(0, 200);
}
