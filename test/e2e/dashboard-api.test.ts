// procd dashboard's HTTP API against a real daemon, the dashboard a real process: the token
// (401 without it, the query → cookie flow, bearer), CSRF on actions, --read-only, the security
// headers, untrusted output as JSON, bad input answered with codes while the server keeps running.

import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { startDashboard, stopAllDashboards, httpCall, type Dashboard } from './helpers/dashboard.js';
import { trackJob, waitForEnd, jobStatus } from './helpers/jobs.js';
import { waitFor } from '../helpers/wait-for.js';

let d: TestDaemon;
let dash: Dashboard;
let sleeper: number;

interface OpenApi {
  paths: Record<string, { get?: { responses: Record<string, { content?: Record<string, { schema: unknown }> }> } }>;
  components: object;
}

beforeAll(async () => {
  d = await startTestDaemon();
  dash = await startDashboard(d);
  sleeper = (await trackJob(d, ['--name', 'sleeper', '--', 'sleep', '300'])).id;
}, 60_000);

afterAll(async () => {
  await dash?.stop();
  await stopAllDashboards();
  await d?.cleanup();
});

const GETS = ['/', '/app.js', '/style.css', '/api/session', '/api/jobs', '/api/jobs?state=running', '/api/jobs/1', '/api/jobs/1/output?tail=5', '/api/groups', '/api/analyze', '/api/stats', '/api/trends?since=1d&bucket=1h', '/api/openapi.json', '/api/events'];
const POSTS = ['/api/jobs', '/api/jobs/1/kill', '/api/jobs/1/restart', '/api/jobs/1/pause', '/api/jobs/1/resume', '/api/jobs/1/signal', '/api/cleanup'];

describe('the token', () => {
  it('every endpoint answers 401 (JSON, with WWW-Authenticate) without it, and with a wrong one', async () => {
    for (const [method, path] of [...GETS.map((p) => ['GET', p] as const), ...POSTS.map((p) => ['POST', p] as const)]) {
      for (const headers of [{}, { Authorization: 'Bearer wrong' } as Record<string, string>, { Cookie: `procd-dashboard-${dash.port}=wrong` }]) {
        const r = await dash.req(method, path, { auth: false, headers });
        expect(r.status, `${method} ${path} ${JSON.stringify(headers)}`).toBe(401);
        expect(r.headers['content-type']).toMatch(/^application\/json/);
        expect((r.json() as { error: { code: string } }).error.code).toBe('Unauthorized');
        expect(r.headers['www-authenticate']).toMatch(/^Bearer/);
      }
    }
    // The sleeper was not touched by any of those POSTs.
    expect((await jobStatus(d, sleeper)).state.kind).toBe('running');
  });

  it('every GET endpoint answers with the bearer token', async () => {
    for (const path of GETS.filter((p) => p !== '/api/events')) {
      const r = await dash.req('GET', path);
      expect(r.status, `GET ${path}: ${r.text.slice(0, 300)}`).toBe(200);
    }
    expect((await dash.req('GET', '/api/jobs')).json()).toEqual(expect.arrayContaining([expect.objectContaining({ id: sleeper, name: 'sleeper' })]));
    expect((await dash.req('GET', '/api/jobs?state=completed')).json()).toEqual([]);
    expect((await dash.req('GET', '/api/jobs/sleeper')).json()).toMatchObject({ id: sleeper, state: { kind: 'running' } });
  });

  it('in the URL once: a redirect without it that sets an HttpOnly SameSite=Strict cookie, which then works', async () => {
    const r = await httpCall('GET', `${dash.base}/?token=${dash.token}&x=1`, {});
    expect(r.status).toBe(303);
    expect(r.headers.location).toBe('/?x=1');
    const cookie = String(r.headers['set-cookie']);
    expect(cookie).toMatch(new RegExp(`^procd-dashboard-${dash.port}=[\\w-]{43};`));
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    const page = await httpCall('GET', `${dash.base}/`, { Cookie: cookie.split(';')[0]! });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toContain('<script src="/app.js"');
    expect(page.text).not.toMatch(/<script>|<script [^>]*>[^<]/); // no inline script
    const jobs = await httpCall('GET', `${dash.base}/api/jobs`, { Cookie: cookie.split(';')[0]! });
    expect(jobs.status).toBe(200);
    expect((await httpCall('GET', `${dash.base}/?token=wrong`, {})).status).toBe(401);
  });

  it("the cookie holds a session secret, not the token: it is no bearer credential, and the token is no cookie", async () => {
    const value = (await sessionCookie()).split('=')[1]!;
    expect(value).not.toBe(dash.token);
    expect((await dash.req('GET', '/api/jobs', { auth: false, headers: { Authorization: `Bearer ${value}` } })).status).toBe(401);
    const json = { 'Content-Type': 'application/json' };
    const track = await dash.req('POST', '/api/jobs', { auth: false, headers: { ...json, Authorization: `Bearer ${value}` }, body: JSON.stringify({ argv: ['true'], name: 'via-cookie-secret' }) });
    expect(track.status).toBe(401);
    expect((await dash.req('GET', '/api/jobs', { auth: false, headers: { Cookie: `procd-dashboard-${dash.port}=${dash.token}` } })).status).toBe(401);
  });

  it("in the URL of a path like /.//evil.com: the redirect stays on this server (no open redirect to //evil.com)", async () => {
    const location = await new Promise<string | undefined>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port: dash.port, method: 'GET', path: `/.//evil.com?token=${dash.token}` }, (res) => {
        res.resume();
        resolve(res.statusCode === 303 ? res.headers.location : `status ${res.statusCode}`);
      });
      req.on('error', reject);
      req.end();
    });
    expect(location).toBe('/evil.com');
  });

  it('never appears in what the dashboard writes besides its URL line', async () => {
    await dash.req('GET', `/api/nothing?token=${dash.token}`);
    await dash.req('POST', '/api/jobs/1/kill', { auth: false, headers: { Authorization: `Bearer ${dash.token}x` } });
    expect(dash.stderr()).not.toContain(dash.token);
  });
});

/** `name=value` of the session cookie the token URL sets. */
async function sessionCookie(): Promise<string> {
  const r = await httpCall('GET', `${dash.base}/?token=${dash.token}`, {});
  return String(r.headers['set-cookie']).split(';')[0]!;
}

describe('listening', () => {
  it('on loopback answers only its own Host names: a DNS-rebinding page (Host evil.example) gets 403 even with the token', async () => {
    for (const host of [`evil.example:${dash.port}`, 'evil.example', `127.0.0.1:${dash.port + 1}`]) {
      const r = await dash.req('GET', '/api/jobs', { headers: { Host: host } });
      expect(r.status, host).toBe(403);
      expect((r.json() as { error: { code: string } }).error.code).toBe('HostRefused');
      expect(r.text).not.toContain('sleeper');
    }
    for (const host of [`localhost:${dash.port}`, `127.0.0.1:${dash.port}`, `[::1]:${dash.port}`]) expect((await dash.req('GET', '/api/jobs', { headers: { Host: host } })).status, host).toBe(200);
  });

  it('a non-loopback --host prints a warning and still needs the token', async () => {
    const open = await startDashboard(d, ['--host', '0.0.0.0']);
    try {
      expect(open.stderr()).toMatch(/WARNING: listening on 0\.0\.0\.0/);
      expect((await open.req('GET', '/api/jobs', { auth: false })).status).toBe(401);
      expect((await open.req('GET', '/api/jobs')).status).toBe(200);
      // Exposure was asked for: any name the machine is reached by works (no Host check).
      expect((await open.req('GET', '/api/jobs', { headers: { Host: `some-name.example:${open.port}` } })).status).toBe(200);
    } finally {
      await open.stop();
    }
    // Read-only: the warning says what is exposed, not that jobs can be acted on.
    const ro = await startDashboard(d, ['--host', '0.0.0.0', '--read-only']);
    try {
      expect(ro.stderr()).toMatch(/WARNING: listening on 0\.0\.0\.0.*can see your jobs/);
      expect(ro.stderr()).not.toMatch(/can act on your jobs/);
    } finally {
      await ro.stop();
    }
    // A host it cannot listen on fails with the reason, without warning about listening first.
    const bad = await d.cli(['dashboard', '--host', 'no-such-host.invalid']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/cannot listen on no-such-host\.invalid/);
    expect(bad.stderr).not.toMatch(/WARNING/);
  });

  it('--open hands the desktop opener (xdg-open) a private 0600 file that leads to the URL, never the token itself', async () => {
    const bin = mkdtempSync(join(tmpdir(), 'procd-open-'));
    const opened = join(bin, 'opened');
    writeFileSync(join(bin, 'xdg-open'), `#!/bin/sh\nprintf '%s' "$1" > '${opened}'\n`, { mode: 0o755 });
    const o = await startDashboard(d, ['--open'], { PATH: `${bin}:${process.env.PATH ?? ''}` });
    try {
      // The opener's command line (readable by any local user in /proc/PID/cmdline) is a file path.
      const arg = await waitFor(() => existsSync(opened) && readFileSync(opened, 'utf8'), { what: 'xdg-open to be called' });
      expect(arg).not.toContain(o.token);
      expect(arg).toMatch(/^\/.*\.html$/);
      expect(statSync(arg).mode & 0o777).toBe(0o600);
      expect(statSync(dirname(arg)).mode & 0o777).toBe(0o700);
      expect(readFileSync(arg, 'utf8')).toContain(`url=http://127.0.0.1:${o.port}/?token=${o.token}"`);
      const exit = await o.stop();
      expect(exit.code).toBe(0);
      expect(existsSync(arg), 'the launcher file is removed on exit').toBe(false);
    } finally {
      await o.stop();
      rmSync(bin, { recursive: true, force: true });
    }
  });

  it('--open says so when the opener finds no browser (xdg-open exits non-zero, as over SSH)', async () => {
    const bin = mkdtempSync(join(tmpdir(), 'procd-open-'));
    writeFileSync(join(bin, 'xdg-open'), '#!/bin/sh\necho "xdg-open: no method available for opening" >&2\nexit 3\n', { mode: 0o755 });
    const o = await startDashboard(d, ['--open'], { PATH: `${bin}:${process.env.PATH ?? ''}` });
    try {
      await waitFor(() => /xdg-open could not open a browser \(exit 3\); open the URL above yourself/.test(o.stderr()), { what: 'the failed opener to be reported' });
    } finally {
      await o.stop();
      rmSync(bin, { recursive: true, force: true });
    }
  });

  it('a --port in use is a clear error (exit 1), not a crash', async () => {
    const r = await d.cli(['dashboard', '--port', String(dash.port)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`port ${dash.port} is in use`);
    expect((await d.cli(['dashboard', '--port', 'x'])).code).toBe(2);
  });
});

describe('actions', () => {
  let cookie = '';
  beforeAll(async () => void (cookie = await sessionCookie()));
  const cookieOf = () => cookie;
  const csrf = async () => ((await dash.req('GET', '/api/session')).json() as { csrfToken: string }).csrfToken;

  it('are refused (403 CsrfRefused) with the cookie alone, with a foreign Origin, or from a cross-site fetch', async () => {
    const token = await csrf();
    const refused: Array<Record<string, string>> = [
      { Cookie: cookieOf() },
      { Cookie: cookieOf(), 'X-Procd-Token': 'wrong' },
      { Cookie: cookieOf(), 'X-Procd-Token': token, Origin: 'http://evil.example' },
      { Cookie: cookieOf(), 'X-Procd-Token': token, 'Sec-Fetch-Site': 'cross-site' },
      { Cookie: cookieOf(), 'X-Procd-Token': token, Origin: `http://127.0.0.1:${dash.port + 1}` },
    ];
    for (const headers of refused) {
      const r = await dash.req('POST', `/api/jobs/${sleeper}/pause`, { auth: false, headers });
      expect(r.status, JSON.stringify(headers)).toBe(403);
      expect((r.json() as { error: { code: string } }).error.code).toBe('CsrfRefused');
    }
    expect((await jobStatus(d, sleeper)).state.kind).toBe('running');
  });

  it('run with the cookie, the X-Procd-Token header and a same-origin request (as the page sends them)', async () => {
    const headers = { Cookie: cookieOf(), 'X-Procd-Token': await csrf(), Origin: dash.base, 'Sec-Fetch-Site': 'same-origin' };
    const paused = await dash.req('POST', `/api/jobs/${sleeper}/pause`, { auth: false, headers });
    expect(paused.status, paused.text).toBe(200);
    expect((await jobStatus(d, sleeper)).state.kind).toBe('paused');
    expect((await dash.req('POST', `/api/jobs/${sleeper}/resume`, { auth: false, headers })).status).toBe(200);
    expect((await jobStatus(d, sleeper)).state.kind).toBe('running');
  });

  it('track (201), signal and kill through the API; a finished job cannot be killed again (409, the daemon\'s code)', async () => {
    const json = { 'Content-Type': 'application/json' };
    const t = await dash.req('POST', '/api/jobs', { headers: json, body: JSON.stringify({ argv: ['sleep', '300'], name: 'api-made' }) });
    expect(t.status, t.text).toBe(201);
    const id = (t.json() as { id: number }).id;
    expect((await dash.req('POST', `/api/jobs/${id}/signal`, { headers: json, body: '{"signal":"CONT"}' })).status).toBe(200);
    const k = await dash.req('POST', `/api/jobs/api-made/kill`, { headers: json, body: '{"graceMs":5000}' });
    expect(k.status, k.text).toBe(200);
    await waitForEnd(d, id);
    const again = await dash.req('POST', `/api/jobs/${id}/kill`);
    expect(again.status, again.text).toBe(409);
    expect(again.json()).toMatchObject({ error: { code: 'JobNotRunning', rpcCode: -32001 } });
  });

  it('--read-only refuses every action with 403 ReadOnly and still reads', async () => {
    const ro = await startDashboard(d, ['--read-only']);
    try {
      for (const path of POSTS) {
        const r = await ro.req('POST', path, { headers: { 'Content-Type': 'application/json' }, body: '{}' });
        expect(r.status, path).toBe(403);
        expect((r.json() as { error: { code: string } }).error.code).toBe('ReadOnly');
      }
      expect((await ro.req('GET', '/api/session')).json()).toMatchObject({ readOnly: true });
      expect((await ro.req('GET', '/api/jobs')).status).toBe(200);
      expect((await jobStatus(d, sleeper)).state.kind).toBe('running');
    } finally {
      await ro.stop();
    }
  });
});

describe('answers', () => {
  it('carry the security headers, on success, on errors and on the page', async () => {
    const answers = [await dash.req('GET', '/'), await dash.req('GET', '/api/jobs'), await dash.req('GET', '/nothing'), await dash.req('GET', '/api/jobs', { auth: false })];
    for (const r of answers) {
      expect(r.headers['content-security-policy']).toContain("default-src 'self'; script-src 'self'");
      expect(r.headers['content-security-policy']).toContain("object-src 'none'; frame-ancestors 'none'; base-uri 'none'");
      expect(r.headers['x-frame-options']).toBe('DENY');
      expect(r.headers['x-content-type-options']).toBe('nosniff');
      expect(r.headers['referrer-policy']).toBe('no-referrer');
      expect(r.headers['cache-control']).toBe('no-store');
    }
  });

  it("give a job's <script> output back as JSON text, not HTML", async () => {
    const job = await trackJob(d, ['--name', 'xss', '--', 'sh', '-c', 'echo "<script>alert(1)</script>"']);
    await waitForEnd(d, job.id);
    const r = await dash.req('GET', `/api/jobs/${job.id}/output?tail=10`);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
    const body = r.json() as { chunks: Array<{ text?: string }> };
    expect(body.chunks.map((c) => c.text).join('')).toBe('<script>alert(1)</script>\n');
    // A JSON document (a browser that opened it would show text: nosniff, no HTML type).
    expect(r.text.startsWith('{"chunks":')).toBe(true);
    expect(r.headers['x-content-type-options']).toBe('nosniff');
  });

  it('bad input gets a clear error with a code, and the server keeps answering', async () => {
    const json = { 'Content-Type': 'application/json' };
    const cases: Array<[string, string, { headers?: Record<string, string>; body?: string | Buffer }, number, string]> = [
      ['POST', '/api/cleanup', { headers: json, body: '{bad' }, 400, 'ParseError'],
      ['POST', '/api/cleanup', { headers: json, body: '[1]' }, 400, 'InvalidParams'],
      ['POST', '/api/cleanup', { headers: { 'Content-Type': 'text/plain' }, body: 'x' }, 415, 'UnsupportedMediaType'],
      ['POST', '/api/jobs', { headers: json, body: JSON.stringify({ argv: ['true'], bogus: 1 }) }, 400, 'InvalidParams'],
      ['POST', '/api/jobs', { headers: json, body: Buffer.alloc(2 << 20, 0x20) }, 413, 'BodyTooLarge'],
      ['GET', '/api/jobs/999999', {}, 404, 'JobNotFound'],
      ['GET', '/api/jobs/1/output?tail=abc', {}, 400, 'InvalidParams'],
      ['GET', '/api/jobs?state=sleeping', {}, 400, 'InvalidParams'],
      ['GET', '/api/trends?since=soon', {}, 400, 'InvalidParams'],
      ['GET', '/api/nothing', {}, 404, 'NotFound'],
      ['DELETE', '/api/jobs/1', {}, 405, 'MethodNotAllowed'],
      ['GET', '/api/jobs/1/kill', {}, 405, 'MethodNotAllowed'],
      ['POST', '/api/stats', {}, 405, 'MethodNotAllowed'],
      ['POST', '/', {}, 405, 'MethodNotAllowed'],
      ['POST', `/api/jobs/1/signal`, { headers: json, body: '{"signal":"NOPE"}' }, 400, 'BadSignal'],
    ];
    for (const [method, path, opts, status, code] of cases) {
      const r = await dash.req(method, path, opts).catch((err: Error) => ({ status: -1, text: err.message, json: () => null, headers: {} }));
      expect(r.status, `${method} ${path}: ${r.text.slice(0, 300)}`).toBe(status);
      expect((r.json() as { error: { code: string; message: string } }).error).toMatchObject({ code });
    }
    expect((await dash.req('GET', '/api/stats')).status).toBe(200);
  });

  it('serve the OpenAPI document the repository holds', async () => {
    const { REPO } = await import('./helpers/daemon.js');
    const r = await dash.req('GET', '/api/openapi.json');
    expect(r.headers['content-type']).toMatch(/^application\/json/);
    const doc = JSON.parse(readFileSync(`${REPO}/docs/openapi.json`, 'utf8')) as OpenApi;
    expect(r.json()).toEqual(doc);
    // And it tells the truth: real answers fit the schemas it gives for them.
    const ajv = new Ajv2020.default({ strict: false, validateFormats: false });
    ajv.addSchema({ components: doc.components }, 'openapi');
    const check = async (path: string, pattern: string) => {
      const schema = doc.paths[pattern]!.get!.responses['200']!.content!['application/json']!.schema;
      const validate = ajv.compile(JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"openapi#/components/')) as object);
      const body = (await dash.req('GET', path)).json();
      expect(validate(body), `${path}: ${ajv.errorsText(validate.errors)}`).toBe(true);
    };
    await check('/api/jobs', '/api/jobs');
    await check(`/api/jobs/${sleeper}`, '/api/jobs/{id}');
    await check(`/api/jobs/${sleeper}/output?tail=3`, '/api/jobs/{id}/output');
    await check('/api/stats', '/api/stats');
    await check('/api/groups', '/api/groups');
    await check('/api/analyze', '/api/analyze');
  });
});
