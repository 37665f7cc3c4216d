// The dashboard's HTTP API as data: each route names the daemon method it calls and how the
// request's path, query and body become that method's params. The server dispatches from this
// table and docs/generate-openapi.mjs writes docs/openapi.json from it (with the method table's
// schemas), so the two cannot drift. Plain data and pure functions: no I/O, no schema library.

import { parseDuration } from '../../shared/duration.js';
import { parseCursor } from '../../shared/log-budget.js';
import type { MethodName } from '../../shared/methods.js';
import { HttpError } from './http-error.js';

/** How a query parameter's text becomes a param value. */
export type QueryType = 'integer' | 'duration' | 'string' | 'list' | 'boolean' | 'cursor';

export interface QueryParam {
  /** The query parameter's name (`?tail=`). */
  name: string;
  /** The daemon param it fills (`tailLines`). */
  param: string;
  type: QueryType;
  doc: string;
  enum?: readonly string[];
}

/** Where a route's `{id}` goes: `job` (one job), `jobs` (a list of one) or `name` (a group's name, as text). */
export type JobKey = 'job' | 'jobs' | 'name';

export interface ApiRoute {
  method: 'GET' | 'POST';
  /** OpenAPI-style path: `/api/jobs/{id}`. */
  path: string;
  rpc: MethodName;
  summary: string;
  /** Changes something (refused by --read-only, CSRF-checked). */
  action: boolean;
  jobKey?: JobKey;
  query?: readonly QueryParam[];
  /** The JSON body holds further params of the method (the whole params for `track`). */
  body?: 'params' | 'optional';
}

const STATES = ['queued', 'starting', 'running', 'paused', 'completed', 'failed', 'killed', 'timed_out', 'lost'] as const;

const jobAction = (verb: 'kill' | 'restart' | 'pause' | 'resume', summary: string): ApiRoute => ({
  method: 'POST',
  path: `/api/jobs/{id}/${verb}`,
  rpc: verb,
  summary,
  action: true,
  jobKey: 'jobs',
  body: 'optional',
});

export const API_ROUTES: readonly ApiRoute[] = [
  {
    method: 'GET',
    path: '/api/jobs',
    rpc: 'list',
    summary: 'List jobs (live ones and recently finished).',
    action: false,
    query: [
      { name: 'state', param: 'states', type: 'list', doc: 'only jobs in these states (comma-separated)', enum: STATES },
      { name: 'name', param: 'name', type: 'string', doc: 'only jobs with this name' },
      { name: 'tag', param: 'tag', type: 'string', doc: 'only jobs with this tag' },
      { name: 'project', param: 'project', type: 'string', doc: "only a project file's jobs" },
      { name: 'all', param: 'all', type: 'boolean', doc: 'every job the daemon keeps, not only recent ones' },
    ],
  },
  { method: 'POST', path: '/api/jobs', rpc: 'track', summary: "Start a job (`track`): the body is track's params; `cwd` and `env` default to the dashboard's.", action: true, body: 'params' },
  { method: 'GET', path: '/api/jobs/{id}', rpc: 'status', summary: "One job's full record (`status`).", action: false, jobKey: 'job', query: [{ name: 'tree', param: 'tree', type: 'boolean', doc: 'include its process tree' }, { name: 'timeline', param: 'timeline', type: 'boolean', doc: 'include what happened to it, in order' }] },
  {
    method: 'GET',
    path: '/api/jobs/{id}/output',
    rpc: 'logs',
    summary: "A job's output (`logs`), as JSON: chunks of text, never HTML.",
    action: false,
    jobKey: 'job',
    query: [
      { name: 'tail', param: 'tailLines', type: 'integer', doc: 'the last N lines' },
      { name: 'run', param: 'run', type: 'integer', doc: 'which run (default: the latest)' },
      { name: 'stream', param: 'stream', type: 'string', doc: 'stdout, stderr or both', enum: ['stdout', 'stderr', 'both'] },
      { name: 'maxBytes', param: 'maxBytes', type: 'integer', doc: 'at most this many bytes' },
      { name: 'after', param: 'cursor', type: 'cursor', doc: 'follow: only what came after this cursor, `RUN.STDOUT.STDERR` as the answer\'s `cursor` gives it (run, stdout, stderr), e.g. 1.2048.0; instead of tail' },
      { name: 'waitMs', param: 'waitMs', type: 'integer', doc: 'long-poll: with nothing new yet, wait up to this many ms (at most 60000) for new output or the end' },
    ],
  },
  jobAction('kill', 'Stop a job (body: optional `signal`, `graceMs`).'),
  jobAction('restart', 'Restart a job (body: optional `signal`, `graceMs`).'),
  jobAction('pause', 'Pause a job.'),
  jobAction('resume', 'Resume a paused job.'),
  { method: 'POST', path: '/api/jobs/{id}/signal', rpc: 'signal', summary: 'Send a signal to a job (body: `{"signal":"HUP"}`).', action: true, jobKey: 'job', body: 'params' },
  { method: 'POST', path: '/api/cleanup', rpc: 'cleanup', summary: 'Find and end leftovers, prune old records (body: optional cleanup params).', action: true, body: 'optional' },
  { method: 'GET', path: '/api/groups', rpc: 'group.ls', summary: 'Queue groups with their running and queued counts.', action: false },
  { method: 'POST', path: '/api/groups/{id}', rpc: 'group.set', summary: 'Change a queue group (`group.set`; creates it when new): body `{"parallel": N}` (null: no limit) and/or `{"paused": true|false}`.', action: true, jobKey: 'name', body: 'optional' },
  { method: 'GET', path: '/api/analyze', rpc: 'analyze', summary: 'Recommendations, time sinks and bottlenecks (`analyze`).', action: false, query: [{ name: 'since', param: 'sinceMs', type: 'duration', doc: 'look back this far (e.g. 7d, or ms)' }] },
  { method: 'GET', path: '/api/stats', rpc: 'stats', summary: 'Counts by state and flag, daemon figures (`stats`).', action: false },
  {
    method: 'GET',
    path: '/api/trends',
    rpc: 'trends',
    summary: 'Failure rate, durations, CPU and memory over time (`trends`).',
    action: false,
    query: [
      { name: 'since', param: 'sinceMs', type: 'duration', doc: 'look back this far (e.g. 7d, or ms)' },
      { name: 'bucket', param: 'bucketMs', type: 'duration', doc: 'bucket width (e.g. 1h, or ms)' },
    ],
  },
];

/** The query parameters of the server-sent event stream (GET /api/events), documented with the routes. */
export const EVENTS_QUERY: readonly QueryParam[] = [
  { name: 'afterSeq', param: 'afterSeq', type: 'integer', doc: 'resume after this event (the Last-Event-ID header does the same)' },
  { name: 'kinds', param: 'kinds', type: 'list', doc: 'only these event kinds (comma-separated)' },
  { name: 'samples', param: 'samples', type: 'boolean', doc: 'also monitor samples (CPU, memory) of running jobs' },
];

/** The query parameters of GET /metrics (Prometheus text). */
export const METRICS_QUERY: readonly QueryParam[] = [{ name: 'top', param: 'topJobs', type: 'integer', doc: 'per-job CPU and memory of the N busiest live jobs (default the daemon\'s)' }];

export type RouteMatch = { kind: 'route'; route: ApiRoute; id: string | null } | { kind: 'wrong-method'; allowed: string[] } | { kind: 'none' };

/** The route for a method and path (without the query), or why there is none. */
export function matchRoute(method: string, pathname: string): RouteMatch {
  const allowed: string[] = [];
  for (const route of API_ROUTES) {
    const id = matchPath(route.path, pathname);
    if (id === undefined) continue;
    if (route.method === method || (method === 'HEAD' && route.method === 'GET')) return { kind: 'route', route, id };
    allowed.push(route.method);
  }
  return allowed.length > 0 ? { kind: 'wrong-method', allowed } : { kind: 'none' };
}

/** The `{id}` segment when `pathname` fits `pattern` (null when it has none), undefined when it does not fit. */
function matchPath(pattern: string, pathname: string): string | null | undefined {
  const want = pattern.split('/');
  const got = pathname.replace(/\/+$/, '').split('/');
  if (want.length !== got.length) return undefined;
  let id: string | null = null;
  for (let i = 0; i < want.length; i++) {
    if (want[i] === '{id}') {
      if (!got[i]) return undefined;
      try {
        id = decodeURIComponent(got[i]!);
      } catch {
        return undefined;
      }
    } else if (want[i] !== got[i]) return undefined;
  }
  return id;
}

/** A job reference from a path segment: digits are an id, anything else a name. */
export function jobRef(segment: string): number | string {
  return /^\d{1,15}$/.test(segment) ? Number(segment) : segment;
}

/** The daemon params of a request: the body's fields, then the query's, then the path's job. */
export function routeParams(route: ApiRoute, id: string | null, query: URLSearchParams, body: Record<string, unknown> | null): Record<string, unknown> {
  const params: Record<string, unknown> = { ...body };
  Object.assign(params, queryParams(route.query ?? [], query));
  if (route.jobKey && id !== null) {
    if (route.jobKey === 'job') params.job = jobRef(id);
    else if (route.jobKey === 'name') params.name = id;
    else params.jobs = [jobRef(id)];
  }
  return params;
}

/** Query text → typed params; a bad value is a 400 naming the parameter. */
export function queryParams(spec: readonly QueryParam[], query: URLSearchParams): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const q of spec) {
    const text = query.get(q.name);
    if (text === null || text === '') continue;
    out[q.param] = queryValue(q, text);
  }
  return out;
}

function queryValue(q: QueryParam, text: string): unknown {
  const bad = (expected: string) => new HttpError(400, 'InvalidParams', `query parameter ${q.name}: expected ${expected}, got ${JSON.stringify(text.slice(0, 100))}`, { field: q.name, expected });
  switch (q.type) {
    case 'integer': {
      if (!/^\d{1,15}$/.test(text)) throw bad('a non-negative integer');
      return Number(text);
    }
    case 'duration': {
      const ms = /^\d{1,15}$/.test(text) ? Number(text) : parseDuration(text);
      if (ms === null) throw bad('a duration such as 30s, 2h, 7d (or milliseconds)');
      return ms;
    }
    case 'boolean': {
      if (!['1', 'true', '0', 'false'].includes(text)) throw bad('true or false');
      return text === '1' || text === 'true';
    }
    case 'list': {
      const items = text.split(',').filter((s) => s !== '');
      const unknown = q.enum ? items.find((s) => !q.enum!.includes(s)) : undefined;
      if (unknown !== undefined) throw bad(`a comma-separated list of ${q.enum!.join(', ')}`);
      return items;
    }
    case 'cursor': {
      const c = parseCursor(text);
      if (!c) throw bad('a cursor RUN.STDOUT.STDERR (whole numbers, run from 1) as an earlier answer\'s `cursor` gives it');
      return { run: c.run, stdout: c.stdout, stderr: c.stderr };
    }
    case 'string': {
      if (q.enum && !q.enum.includes(text)) throw bad(`one of ${q.enum.join(', ')}`);
      return text;
    }
  }
}
