import { describe, expect, it } from 'vitest';
import { actionProblem, authenticate, csrfToken, hostProblem, isLoopbackHost, loopbackHostNames, newToken, readCookie, sameSecret, type RequestFacts } from '../../../client/dashboard/security.js';
import { statusForRpcCode, toHttpError } from '../../../client/dashboard/http-error.js';
import { locationWithoutToken, oneJobAnswer } from '../../../client/dashboard/server.js';
import { ErrorCode, ProcdError } from '../../../shared/errors.js';

const TOKEN = 'tok-123';
const SESSION = 'session-456';
const SECRETS = { token: TOKEN, sessionSecret: SESSION };
const facts = (f: Partial<RequestFacts>): RequestFacts => ({ method: 'GET', queryToken: null, authorization: undefined, cookie: undefined, csrfHeader: undefined, origin: undefined, secFetchSite: undefined, host: '127.0.0.1:4000', ...f });

describe('authenticate', () => {
  it('takes the bearer header, the query token (GET only), or the cookie of this port', () => {
    expect(authenticate(facts({ authorization: `Bearer ${TOKEN}` }), SECRETS, 4000)).toEqual({ ok: true, via: 'bearer' });
    expect(authenticate(facts({ queryToken: TOKEN }), SECRETS, 4000)).toEqual({ ok: true, via: 'query' });
    expect(authenticate(facts({ method: 'POST', queryToken: TOKEN }), SECRETS, 4000).ok).toBe(false);
    expect(authenticate(facts({ cookie: `a=b; procd-dashboard-4000=${SESSION}` }), SECRETS, 4000)).toEqual({ ok: true, via: 'cookie' });
    expect(authenticate(facts({ cookie: `procd-dashboard-4001=${SESSION}` }), SECRETS, 4000).ok).toBe(false);
  });

  it('never takes the session secret as the token, nor the token as the cookie (other local servers see 127.0.0.1 cookies)', () => {
    expect(authenticate(facts({ authorization: `Bearer ${SESSION}` }), SECRETS, 4000).ok).toBe(false);
    expect(authenticate(facts({ queryToken: SESSION }), SECRETS, 4000).ok).toBe(false);
    expect(authenticate(facts({ cookie: `procd-dashboard-4000=${TOKEN}` }), SECRETS, 4000).ok).toBe(false);
  });

  it('refuses a wrong or missing token, and a wrong bearer even with a good cookie', () => {
    expect(authenticate(facts({}), SECRETS, 4000).ok).toBe(false);
    expect(authenticate(facts({ authorization: 'Bearer nope', cookie: `procd-dashboard-4000=${SESSION}` }), SECRETS, 4000).ok).toBe(false);
    expect(authenticate(facts({ queryToken: `${TOKEN}x` }), SECRETS, 4000).ok).toBe(false);
  });

  it('compares secrets of any lengths without throwing', () => {
    expect(sameSecret(TOKEN, TOKEN)).toBe(true);
    expect(sameSecret('', TOKEN)).toBe(false);
    expect(sameSecret(TOKEN.repeat(100), TOKEN)).toBe(false);
    expect(newToken()).toMatch(/^[\w-]{43}$/);
    expect(newToken()).not.toBe(newToken());
  });
});

describe('actionProblem (CSRF)', () => {
  const good = { csrfHeader: csrfToken(TOKEN), origin: 'http://127.0.0.1:4000', secFetchSite: 'same-origin' };
  it('lets a bearer request, or a cookie request with the header from the same origin, act', () => {
    expect(actionProblem(facts({ method: 'POST' }), 'bearer', TOKEN)).toBeNull();
    expect(actionProblem(facts({ method: 'POST', ...good }), 'cookie', TOKEN)).toBeNull();
    expect(actionProblem(facts({ method: 'POST', csrfHeader: csrfToken(TOKEN) }), 'cookie', TOKEN)).toBeNull();
  });

  it('refuses the cookie alone, a wrong header, another origin or a cross-site fetch', () => {
    expect(actionProblem(facts({ method: 'POST' }), 'cookie', TOKEN)).toMatch(/X-Procd-Token/);
    expect(actionProblem(facts({ ...good, csrfHeader: TOKEN }), 'cookie', TOKEN)).toMatch(/X-Procd-Token/);
    expect(actionProblem(facts({ ...good, origin: 'http://evil.example' }), 'cookie', TOKEN)).toMatch(/another origin/);
    expect(actionProblem(facts({ ...good, origin: 'null' }), 'cookie', TOKEN)).toMatch(/another origin/);
    expect(actionProblem(facts({ ...good, secFetchSite: 'same-site' }), 'cookie', TOKEN)).toMatch(/cross-site/);
    // A bearer request from a browser page of another origin is still refused.
    expect(actionProblem(facts({ origin: 'http://evil.example' }), 'bearer', TOKEN)).toMatch(/another origin/);
  });
});

describe('helpers', () => {
  it('reads one cookie', () => {
    expect(readCookie('a=1; b = 2;c=3', 'b')).toBe('2');
    expect(readCookie(undefined, 'b')).toBeNull();
  });

  it('knows loopback hosts', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]']) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['0.0.0.0', '192.168.1.2', '::', 'example.com']) expect(isLoopbackHost(h), h).toBe(false);
  });

  it("maps the daemon's codes to HTTP statuses", () => {
    expect(statusForRpcCode(ErrorCode.JobNotFound)).toBe(404);
    expect(statusForRpcCode(ErrorCode.InvalidParams)).toBe(400);
    expect(statusForRpcCode(ErrorCode.JobNotRunning)).toBe(409);
    expect(statusForRpcCode(ErrorCode.NameInUse)).toBe(409);
    expect(statusForRpcCode(ErrorCode.DaemonUnavailable)).toBe(503);
    expect(statusForRpcCode(ErrorCode.InternalError)).toBe(500);
    expect(toHttpError(new ProcdError(ErrorCode.JobNotFound, 'no job 3', { job: 3 })).body()).toEqual({ error: { code: 'JobNotFound', rpcCode: -32000, message: 'no job 3', data: { job: 3 } } });
    expect(toHttpError(new Error('secret internals')).body()).toEqual({ error: { code: 'InternalError', message: expect.not.stringContaining('secret') } });
  });

  it("answers a one-job route with its entry, a failed entry as the daemon's error", () => {
    expect(oneJobAnswer([{ ref: 3, ok: true, id: 3 }])).toEqual({ ref: 3, ok: true, id: 3 });
    expect(() => oneJobAnswer([{ ref: 3, ok: false, error: { code: ErrorCode.JobNotRunning, message: 'not running', data: { id: 3 } } }])).toThrow(ProcdError);
  });
});

describe('locationWithoutToken (the redirect after ?token=)', () => {
  const at = (raw: string) => locationWithoutToken(new URL(raw, 'http://dashboard.invalid'));
  it('drops the token and keeps the rest', () => {
    expect(at('/?token=T&x=1')).toBe('/?x=1');
    expect(at('/api/jobs?token=T')).toBe('/api/jobs');
  });

  it('never leads to another site (no scheme-relative //host)', () => {
    expect(at('/.//evil.com?token=T')).toBe('/evil.com'); // curl --path-as-is '/.//evil.com': the pathname is //evil.com
    expect(at('.//evil.com?token=T')).toBe('/evil.com');
    expect(at('////evil.com/x?token=T')).toBe('/x'); // parsed as scheme-relative: its path only
    expect(at('/./\\evil.com?token=T')).toBe('/evil.com');
    for (const raw of ['.//evil.com', '//evil.com', '/\\/evil.com', '/.//evil.com']) expect(at(`${raw}?token=T`), raw).toMatch(/^\/(?![/\\])/);
  });
});

describe('hostProblem (DNS rebinding)', () => {
  const names = loopbackHostNames('127.0.0.1');
  it("takes this server's loopback names with its port", () => {
    for (const h of ['127.0.0.1:4000', 'localhost:4000', 'LOCALHOST:4000', '[::1]:4000']) expect(hostProblem(h, names, 4000), h).toBeNull();
    expect(hostProblem('127.0.0.2:4000', loopbackHostNames('127.0.0.2'), 4000)).toBeNull();
    expect(hostProblem('[::1]:4000', loopbackHostNames('::1'), 4000)).toBeNull();
  });

  it('refuses another name, another port, or none', () => {
    for (const h of ['evil.example:4000', 'evil.example', '127.0.0.1', '127.0.0.1:4001', 'localhost.evil.example:4000', '127.0.0.2:4000', undefined]) {
      expect(hostProblem(h, names, 4000), String(h)).toMatch(/Host/);
    }
  });
});
