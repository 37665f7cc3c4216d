#!/usr/bin/env node
// Writes docs/openapi.json: the OpenAPI 3.1 document of `procd dashboard`'s HTTP API, from the
// dashboard's route table (dist/client/dashboard/routes.js) and the protocol's JSON Schemas
// (renderProtocolSchemas, from shared/schemas/ through @valibot/to-json-schema). `npm run docs`
// runs it; test/unit/docs/openapi.test.ts fails when the checked-in file is stale, and the
// dashboard serves the built copy at GET /api/openapi.json.

import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { renderProtocolSchemas } from './generate-protocol.mjs';

const REPO = resolve(import.meta.dirname, '..');

/** OpenAPI 3.1 speaks JSON Schema 2020-12, whose shared shapes live under components/schemas. */
const toComponents = (js) => JSON.parse(JSON.stringify(js).replaceAll('"#/$defs/', '"#/components/schemas/'));
const ref = (name) => ({ $ref: `#/components/schemas/${name}` });
const opName = (rpc) => rpc.replace(/\.(\w)/g, (_, c) => c.toUpperCase());

const QUERY_SCHEMA = {
  integer: { type: 'integer', minimum: 0 },
  duration: { type: 'string', description: 'a duration (30s, 2h, 7d) or milliseconds' },
  string: { type: 'string' },
  list: { type: 'string', description: 'comma-separated' },
  boolean: { type: 'boolean' },
  cursor: { type: 'string', pattern: '^\\d+\\.\\d+\\.\\d+$', description: 'RUN.STDOUT.STDERR: the run and the byte offset in each stream, from an answer\'s `cursor`' },
};

function queryParameter(q) {
  const schema = { ...QUERY_SCHEMA[q.type] };
  if (q.enum && q.type === 'string') schema.enum = [...q.enum];
  const description = q.enum && q.type === 'list' ? `${q.doc}: ${q.enum.join(', ')}` : q.doc;
  return { name: q.name, in: 'query', required: false, description, schema };
}

const ID_PARAMETER = { name: 'id', in: 'path', required: true, description: 'a job id (digits) or a live job name', schema: { type: 'string' } };
const GROUP_PARAMETER = { ...ID_PARAMETER, description: "a queue group's name" };

const errorResponse = (description) => ({ description, content: { 'application/json': { schema: ref('Error') } } });

const COMMON_ERRORS = {
  400: errorResponse('Bad input: query, body or params (code InvalidParams, ParseError, BadSignal …)'),
  401: errorResponse('No or a wrong token (code Unauthorized)'),
  403: errorResponse("On loopback, a Host header not this server's 127.0.0.1|localhost|[::1]:PORT (code HostRefused)"),
  404: errorResponse('No such job, run or group (the daemon\'s code, e.g. JobNotFound)'),
  503: errorResponse('No daemon answers (code DaemonNotRunning: the dashboard never starts one that was stopped; or DaemonUnavailable, ShuttingDown …)'),
};

const ACTION_ERRORS = {
  403: errorResponse("Refused: --read-only (code ReadOnly), or no X-Procd-Token header / another origin (code CsrfRefused), or on loopback a Host not this server's (code HostRefused)"),
  409: errorResponse("The job's state does not allow it (e.g. JobNotRunning, NameInUse)"),
  413: errorResponse('The body is over 1 MiB (code BodyTooLarge)'),
};

/** A request body: the method's params, less the field the path fills. */
function bodySchema(params, jobKey) {
  if (!jobKey) return params;
  const { [jobKey]: _, ...properties } = params.properties ?? {};
  return { ...params, properties, required: (params.required ?? []).filter((r) => r !== jobKey) };
}

export async function renderOpenApi() {
  const { API_ROUTES, EVENTS_QUERY, METRICS_QUERY } = await import(join(REPO, 'dist/client/dashboard/routes.js'));
  const { METHOD_SPECS } = await import(join(REPO, 'dist/shared/methods.js'));
  const protocol = toComponents(await renderProtocolSchemas());
  const { version } = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
  const schemas = {
    ...protocol.$defs,
    Error: {
      type: 'object',
      properties: {
        error: {
          type: 'object',
          properties: {
            code: { type: 'string', description: "the daemon's error code name (JobNotFound …) or the dashboard's (Unauthorized, ReadOnly, CsrfRefused, HostRefused, NotFound, MethodNotAllowed, BodyTooLarge, ParseError …)" },
            message: { type: 'string' },
            rpcCode: { type: 'integer', description: "the daemon's JSON-RPC error code, when the daemon refused" },
            data: { type: 'object' },
          },
          required: ['code', 'message'],
        },
      },
      required: ['error'],
    },
    Event: { oneOf: Object.values(protocol.events) },
  };
  const paths = {};
  for (const route of API_ROUTES) {
    const method = protocol.methods[route.rpc];
    const parameters = [...(route.path.includes('{id}') ? [route.jobKey === 'name' ? GROUP_PARAMETER : ID_PARAMETER] : []), ...(route.query ?? []).map(queryParameter)];
    const op = {
      operationId: opName(route.rpc),
      summary: route.summary,
      description: `Calls the daemon's \`${route.rpc}\`: ${METHOD_SPECS[route.rpc].doc}`,
      tags: [route.action ? 'actions' : 'read'],
      ...(parameters.length ? { parameters } : {}),
      ...(route.body
        ? { requestBody: { required: route.body === 'params' && !route.jobKey, content: { 'application/json': { schema: bodySchema(method.params, route.jobKey) } } } }
        : {}),
      responses: {
        [route.rpc === 'track' ? 201 : 200]: {
          // A per-job method answers one entry per job; the route names one job and answers its entry (a failed one as an error).
          description: route.jobKey === 'jobs' ? `this job's entry of \`${route.rpc}\`'s result` : `the result of \`${route.rpc}\``,
          content: { 'application/json': { schema: route.jobKey === 'jobs' ? method.result.items : method.result } },
        },
        ...COMMON_ERRORS,
        ...(route.action ? ACTION_ERRORS : {}),
      },
      ...(route.action ? { security: [{ bearer: [] }, { cookie: [], csrf: [] }] } : {}),
    };
    (paths[route.path] ??= {})[route.method.toLowerCase()] = op;
  }
  paths['/api/events'] = {
    get: {
      operationId: 'events',
      summary: "The daemon's events as server-sent events: `id` is the event's seq, `data` its JSON (schema Event). A first `ready` event carries the subscription's seq; `: heartbeat` comments keep the connection open. With no daemon running the answer is a single `unavailable` event (data: the DaemonNotRunning error) and the stream ends; an EventSource asks again after its `retry` (2 s). Reconnecting with Last-Event-ID (as EventSource does) resumes without loss; a daemon restart is ridden out.",
      tags: ['read'],
      parameters: [...EVENTS_QUERY.map(queryParameter), { name: 'Last-Event-ID', in: 'header', required: false, description: 'resume after this seq (wins over afterSeq)', schema: { type: 'string' } }],
      responses: { 200: { description: 'an event stream; each data line is one Event', content: { 'text/event-stream': { schema: { type: 'string' } } } }, ...COMMON_ERRORS },
    },
  };
  paths['/api/session'] = {
    get: {
      operationId: 'session',
      summary: "What the page needs: whether actions are refused, and the X-Procd-Token value actions must send (derived from the token; the page's script never sees the token).",
      tags: ['read'],
      responses: {
        200: {
          description: 'the session',
          content: { 'application/json': { schema: { type: 'object', properties: { readOnly: { type: 'boolean' }, csrfToken: { type: 'string' }, version: { type: 'string' }, daemonVersion: { type: 'string' } }, required: ['readOnly', 'csrfToken', 'version', 'daemonVersion'] } } },
        },
        401: COMMON_ERRORS[401],
      },
    },
  };
  paths['/api/openapi.json'] = { get: { operationId: 'openapi', summary: 'This document.', tags: ['read'], responses: { 200: { description: 'OpenAPI 3.1', content: { 'application/json': { schema: { type: 'object' } } } }, 401: COMMON_ERRORS[401] } } };
  if ('metrics' in METHOD_SPECS) {
    paths['/metrics'] = { get: { operationId: 'metrics', summary: "The daemon's `metrics` in the Prometheus text exposition format 0.0.4 (`procd_up 0` when no daemon answers). Also without a token on `--metrics-port`, bound to loopback.", tags: ['read'], parameters: METRICS_QUERY.map(queryParameter), responses: { 200: { description: 'metrics', content: { 'text/plain': { schema: { type: 'string' } } } }, 401: COMMON_ERRORS[401] } } };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'procd dashboard API',
      version,
      description:
        'The HTTP JSON API of `procd dashboard` (generated by docs/generate-openapi.mjs from the dashboard\'s route table and the protocol\'s schemas; the daemon\'s methods are in docs/protocol.md). Every request needs the token: `Authorization: Bearer TOKEN`, or the cookie the browser gets by opening the printed URL once. Actions (POST) also need the X-Procd-Token header (GET /api/session) or the bearer header, and a same-origin request; `--read-only` refuses them. Errors are `{"error":{"code","message","rpcCode"?,"data"?}}`.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }, { cookie: [] }],
    tags: [{ name: 'read', description: 'reading state' }, { name: 'actions', description: 'changing jobs (refused by --read-only)' }],
    paths,
    components: {
      schemas,
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'the token `procd dashboard` printed' },
        cookie: { type: 'apiKey', in: 'cookie', name: 'procd-dashboard-PORT', description: 'set by opening the printed URL (?token=…); HttpOnly, SameSite=Strict' },
        csrf: { type: 'apiKey', in: 'header', name: 'X-Procd-Token', description: 'GET /api/session gives its value; needed with the cookie for actions' },
      },
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(join(REPO, 'docs/openapi.json'), `${JSON.stringify(await renderOpenApi(), null, 2)}\n`);
  console.log('wrote docs/openapi.json');
}
