// What every answer carries (security headers), and the pure checks of a request: who it is
// (the token: a bearer header, or the query once, which sets a cookie with a separate session secret) and whether an action may run
// (read-only, CSRF). The token is compared in constant time and never logged.

import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Sent with every answer: no inline script, no framing, no MIME sniffing, no referrer, no caching. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

/** A fresh access token (256 random bits, URL-safe), as Jupyter prints one. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Equal in constant time: both sides hashed first, so lengths never differ and nothing leaks through timing. */
export function sameSecret(given: string, secret: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(secret).digest();
  return timingSafeEqual(a, b);
}

/** The value the page sends in X-Procd-Token for actions: derived from the token, so the page's script never holds the token itself. */
export function csrfToken(token: string): string {
  return createHmac('sha256', token).update('procd-dashboard-csrf').digest('base64url');
}

/** The cookie's name: per port, since browsers share cookies between ports of one host. */
export function cookieName(port: number): string {
  return `procd-dashboard-${port}`;
}

/**
 * The cookie holds a session secret of its own, never the token: browsers send 127.0.0.1's cookies
 * to every port, so any local server would otherwise receive a working bearer credential.
 */
export function sessionCookie(port: number, sessionSecret: string): string {
  return `${cookieName(port)}=${sessionSecret}; HttpOnly; SameSite=Strict; Path=/`;
}

/** The two secrets: the token (bearer header, or the URL once) and the cookie's session secret; neither stands in for the other. */
export interface DashboardSecrets {
  token: string;
  sessionSecret: string;
}

export interface RequestFacts {
  method: string;
  /** The `token` query parameter, if any. */
  queryToken: string | null;
  authorization: string | undefined;
  cookie: string | undefined;
  csrfHeader: string | undefined;
  origin: string | undefined;
  secFetchSite: string | undefined;
  host: string | undefined;
}

export type AuthDecision =
  /** Authenticated; `setCookie` when the token came in the query (answer with a redirect that drops it). */
  | { ok: true; via: 'bearer' | 'cookie' | 'query' }
  | { ok: false; reason: string };

/** Who the request is: the bearer header or (GET only, once) the query token; or the session cookie. */
export function authenticate(facts: RequestFacts, secrets: DashboardSecrets, port: number): AuthDecision {
  const bearer = /^Bearer\s+(\S+)$/i.exec(facts.authorization ?? '')?.[1];
  if (bearer !== undefined) return sameSecret(bearer, secrets.token) ? { ok: true, via: 'bearer' } : { ok: false, reason: 'the bearer token is wrong' };
  if (facts.queryToken !== null && (facts.method === 'GET' || facts.method === 'HEAD')) {
    return sameSecret(facts.queryToken, secrets.token) ? { ok: true, via: 'query' } : { ok: false, reason: 'the token in the URL is wrong' };
  }
  const fromCookie = readCookie(facts.cookie, cookieName(port));
  if (fromCookie !== null) return sameSecret(fromCookie, secrets.sessionSecret) ? { ok: true, via: 'cookie' } : { ok: false, reason: 'the session cookie is stale (the dashboard was restarted)' };
  return { ok: false, reason: 'no token' };
}

/**
 * Whether an action (POST) may run: a cookie alone is not enough, since a browser sends it for any
 * site's form. It needs the X-Procd-Token header (or a bearer header, which no browser adds by
 * itself), and a browser's request must come from this origin.
 */
export function actionProblem(facts: RequestFacts, via: 'bearer' | 'cookie' | 'query', token: string): string | null {
  if (via !== 'bearer' && (facts.csrfHeader === undefined || !sameSecret(facts.csrfHeader, csrfToken(token)))) {
    return 'an action needs the X-Procd-Token header (GET /api/session gives its value) or an Authorization: Bearer header';
  }
  if (facts.secFetchSite !== undefined && facts.secFetchSite !== 'same-origin' && facts.secFetchSite !== 'none') return `a cross-site request (Sec-Fetch-Site: ${facts.secFetchSite}) may not act`;
  if (facts.origin !== undefined && !sameOrigin(facts.origin, facts.host)) return `a request from another origin (${facts.origin.slice(0, 200)}) may not act`;
  return null;
}

function sameOrigin(origin: string, host: string | undefined): boolean {
  if (host === undefined) return false;
  try {
    const o = new URL(origin);
    return o.protocol === 'http:' && o.host === new URL(`http://${host}`).host;
  } catch {
    return false;
  }
}

/** One cookie's value from a Cookie header. */
export function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

/** Loopback addresses: anything else exposes the dashboard to the network. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * The Host values a loopback-bound server answers to: a page of evil.example whose name is made to
 * resolve to 127.0.0.1 (DNS rebinding) is same-origin to the browser but sends `Host: evil.example`.
 */
export function loopbackHostNames(boundHost: string): string[] {
  const names = ['127.0.0.1', 'localhost', '[::1]'];
  const bound = (boundHost.includes(':') && !boundHost.startsWith('[') ? `[${boundHost}]` : boundHost).toLowerCase();
  if (!names.includes(bound)) names.push(bound);
  return names;
}

/** Why a request's Host is not this server's name and port (null: it is). */
export function hostProblem(host: string | undefined, names: readonly string[], port: number): string | null {
  if (host === undefined) return 'the request has no Host header';
  const given = host.toLowerCase();
  if (names.some((name) => given === `${name}:${port}`)) return null;
  return `Host ${host.slice(0, 200)} is not this server (use ${names[0]}:${port}); a page under another name that resolves here is refused`;
}
